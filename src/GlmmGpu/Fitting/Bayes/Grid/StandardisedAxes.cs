using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// The variance parameters standardised at their mode (Rue, Martino and Chopin 2009, section 3.1): with H = V L V' the
/// eigen-decomposition of -d2 log p(v | y) / dv2 at the mode v*, v(z) = v* + V L^(-1/2) z, so z has about the
/// identity's covariance and the grid is laid in z.
/// </summary>
internal sealed class StandardisedAxes
{
    public double[] Mode { get; }
    /// <summary>V L^(-1/2): column k is the step in v for one unit of z_k.</summary>
    public double[,] Map { get; }
    public int Dimension => Mode.Length;

    private StandardisedAxes(double[] mode, double[,] map)
    {
        Mode = mode;
        Map = map;
    }

    public static StandardisedAxes FromHessian(double[] mode, double[,] hessian)
    {
        int m = mode.Length;
        var (values, vectors) = SymmetricEigen.Decompose(hessian);
        if (values.Any(x => !(x > 0) || !double.IsFinite(x)))
            throw new GlmmException("the variance parameters' posterior is not curved downwards at its mode (a flat or " +
                "singular direction), so a grid cannot be laid; use --sampler nuts or a more informative prior");
        // Largest curvature first, so the axes come in a fixed order.
        var order = Enumerable.Range(0, m).OrderByDescending(k => values[k]).ThenBy(k => k).ToArray();
        var map = new double[m, m];
        for (int k = 0; k < m; k++)
        {
            int e = order[k];
            double scale = 1 / Math.Sqrt(values[e]);
            for (int i = 0; i < m; i++) map[i, k] = vectors[i, e] * scale;
        }
        return new StandardisedAxes(mode, map);
    }

    public double[] ToVariance(ReadOnlySpan<double> z)
    {
        int m = Dimension;
        var v = (double[])Mode.Clone();
        for (int i = 0; i < m; i++)
            for (int k = 0; k < m; k++) v[i] += Map[i, k] * z[k];
        return v;
    }
}

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// The variance parameters' posterior (each SD, correlation and the dispersion on its natural scale) from the grid:
/// the grid's points are a lattice too coarse for quantiles (one point per standard deviation), so each lattice cell
/// whose corners were all evaluated is filled with a finer lattice, <see cref="Refinement"/> points a side, where
/// log p(v(z) | y) = log p(v* | y) - |z|^2 / 2 + r(z), with the residual r (how far the density is from the normal at
/// the mode) interpolated multilinearly between the cell's corners, exact at the grid's points. Each fine point's
/// quantities, weighted by its density, give means, SDs and quantiles (<see cref="MixtureSummary.OfWeightedPoints"/>).
/// </summary>
internal static class VarianceMarginals
{
    /// <summary>Fine points per cell side: 20 on a line, fewer in more dimensions (the count is this to the power m per cell).</summary>
    public static int Refinement(int m) => m switch { 1 => 20, 2 => 8, 3 => 4, _ => 2 };

    /// <summary>The fine lattice's points: z (each the lower corner of its fine cell), v and their weights (relative
    /// to the mode's density).</summary>
    public static (List<double[]> Zs, List<double[]> Variances, List<double> Weights) FineLattice(IReadOnlyList<GridPoint> points, StandardisedAxes axes, double step, double top)
    {
        int m = axes.Dimension, refinement = Refinement(m);
        var residual = new Dictionary<string, double>();
        foreach (var point in points)
            if (double.IsFinite(point.Conditional.LogDensity))
                residual[GridExploration.Key(point.Index)] = point.Conditional.LogDensity - top + 0.5 * SquaredNorm(point.Z);
        var corners = Enumerable.Range(0, 1 << m).Select(c => Enumerable.Range(0, m).Select(i => (c >> i) & 1).ToArray()).ToArray();
        var cells = new List<int[]>();
        var cellSeen = new HashSet<string>();
        foreach (var point in points)
            foreach (var corner in corners)
            {
                var lower = point.Index.Select((x, i) => x - corner[i]).ToArray();
                if (!cellSeen.Add(GridExploration.Key(lower))) continue;
                if (corners.All(c => residual.ContainsKey(GridExploration.Key(lower.Select((x, i) => x + c[i]).ToArray())))) cells.Add(lower);
            }
        int perCell = (int)Math.Pow(refinement, m);
        var zs = new List<double[]>(cells.Count * perCell);
        var variances = new List<double[]>(cells.Count * perCell);
        var weights = new List<double>(cells.Count * perCell);
        var cornerResiduals = new double[corners.Length];
        var offset = new int[m];
        var z = new double[m];
        foreach (var lower in cells)
        {
            for (int c = 0; c < corners.Length; c++)
                cornerResiduals[c] = residual[GridExploration.Key(lower.Select((x, i) => x + corners[c][i]).ToArray())];
            for (int f = 0; f < perCell; f++)
            {
                int code = f;
                for (int i = 0; i < m; i++)
                {
                    offset[i] = code % refinement;
                    code /= refinement;
                    z[i] = (lower[i] + (double)offset[i] / refinement) * step;
                }
                double r = 0;
                for (int c = 0; c < corners.Length; c++)
                {
                    double w = 1;
                    for (int i = 0; i < m; i++)
                    {
                        double t = (double)offset[i] / refinement;
                        w *= corners[c][i] == 1 ? t : 1 - t;
                    }
                    r += w * cornerResiduals[c];
                }
                zs.Add((double[])z.Clone());
                variances.Add(axes.ToVariance(z));
                weights.Add(Math.Exp(-0.5 * SquaredNorm(z) + r));
            }
        }
        return (zs, variances, weights);
    }

    /// <summary>Each reported variance quantity's summary (SDs, correlations, the dispersion, in the draws' order
    /// after the coefficients) and the weighted mean of v.</summary>
    public static (PosteriorSummary[] Summaries, double[] MeanVariance) Summarise(IReadOnlyList<GridPoint> points, StandardisedAxes axes, double step,
        double top, PosteriorTransform transform, string[] names)
    {
        var (_, variances, weights) = FineLattice(points, axes, step, top);
        int p = transform.P, m = axes.Dimension, count = names.Length - p;
        var values = new double[count][];
        for (int j = 0; j < count; j++) values[j] = new double[variances.Count];
        var z = new double[transform.Dimension];
        var constrained = new double[transform.Dimension];
        var meanVariance = new double[m];
        double total = weights.Sum();
        for (int k = 0; k < variances.Count; k++)
        {
            variances[k].CopyTo(z, p);
            transform.Constrained(z, constrained);
            for (int j = 0; j < count; j++) values[j][k] = constrained[p + j];
            for (int i = 0; i < m; i++) meanVariance[i] += weights[k] / total * variances[k][i];
        }
        var w = weights.ToArray();
        var summaries = new PosteriorSummary[count];
        for (int j = 0; j < count; j++) summaries[j] = MixtureSummary.OfWeightedPoints(names[p + j], values[j], w);
        return (summaries, meanVariance);
    }

    private static double SquaredNorm(double[] z) => z.Sum(x => x * x);
}

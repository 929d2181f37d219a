using System.Numerics.Tensors;

namespace GlmmGpu.Model;

/// <summary>
/// Drops fixed-effect columns that are linear combinations of earlier ones, as lme4 does ("fixed-effect model
/// matrix is rank deficient so dropping N columns / coefficients"): R's QR with tolerance 1e-7 keeps the
/// first of two aliased columns. Here each column is orthogonalised against the kept ones (modified
/// Gram-Schmidt, done twice for accuracy) and dropped when what is left of it is below the tolerance
/// relative to its own length. A column of zeros is dropped the same way.
/// </summary>
internal static class RankReducer
{
    public const double Tolerance = 1e-7;

    public static (List<DesignColumn> Kept, List<string> Dropped) Reduce(IReadOnlyList<DesignColumn> columns)
    {
        var kept = new List<DesignColumn>();
        var dropped = new List<string>();
        var basis = new List<double[]>();
        foreach (var column in columns)
        {
            double norm = Norm(column.Values);
            if (norm == 0)
            {
                dropped.Add(column.Name);
                continue;
            }
            var residual = (double[])column.Values.Clone();
            for (int pass = 0; pass < 2; pass++)
                foreach (var q in basis)
                    SubtractProjection(residual, q);
            double left = Norm(residual);
            if (left <= Tolerance * norm)
            {
                dropped.Add(column.Name);
                continue;
            }
            for (int i = 0; i < residual.Length; i++) residual[i] /= left;
            basis.Add(residual);
            kept.Add(column);
        }
        return (kept, dropped);
    }

    private static double Norm(double[] x)
    {
        if (x.Length == 0) return 0;
        double scale = Math.Abs(TensorPrimitives.MaxMagnitude<double>(x));
        if (scale == 0) return 0;
        if (scale is > 1e-150 and < 1e150) return TensorPrimitives.Norm<double>(x);
        // Huge or tiny entries: scale first so the sum of squares neither overflows nor underflows.
        double sum = 0;
        foreach (double v in x) sum += (v / scale) * (v / scale);
        return scale * Math.Sqrt(sum);
    }

    private static void SubtractProjection(double[] x, double[] unit)
    {
        double dot = TensorPrimitives.Dot<double>(x, unit);
        TensorPrimitives.MultiplyAdd<double>(unit, -dot, x, x);
    }
}

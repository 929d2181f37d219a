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

    /// <summary>Below this residual ratio the Gram screen hands the decision to Gram-Schmidt on the columns.</summary>
    private const double ScreenRatio = 1e-3;
    private const int GramBlock = 4096;

    public static (List<DesignColumn> Kept, List<string> Dropped) Reduce(IReadOnlyList<DesignColumn> columns)
    {
        // Almost every design has full rank by a wide margin; the Gram matrix shows that in one pass over the data
        // instead of Gram-Schmidt's p^2 passes (0.15 s at 1e6 rows and five columns). Its rounding (about 1e-14
        // relative in a squared residual) cannot move a ratio above 1e-3 to below 1e-7, so it only decides there.
        if (ClearlyFullRank(columns)) return (columns.ToList(), new List<string>());
        return GramSchmidt(columns);
    }

    /// <summary>
    /// True when, by the Cholesky factorisation of X'X, every column's residual after projection on the ones
    /// before it is above <see cref="ScreenRatio"/> of its own length.
    /// </summary>
    private static bool ClearlyFullRank(IReadOnlyList<DesignColumn> columns)
    {
        int p = columns.Count;
        if (p == 0) return true;
        int n = columns[0].Values.Length;
        var gram = Gram(columns, n);
        var l = new double[p, p];
        for (int j = 0; j < p; j++)
        {
            double diagonal = gram[j, j];
            // Zero, tiny or huge columns go to Gram-Schmidt, which scales them.
            if (!(diagonal > 1e-280 && diagonal < 1e280)) return false;
            for (int i = 0; i < j; i++)
            {
                double s = gram[j, i];
                for (int k = 0; k < i; k++) s -= l[j, k] * l[i, k];
                l[j, i] = s / l[i, i];
            }
            double residual = diagonal;
            for (int k = 0; k < j; k++) residual -= l[j, k] * l[j, k];
            if (!(residual > ScreenRatio * ScreenRatio * diagonal)) return false;
            l[j, j] = Math.Sqrt(residual);
        }
        return true;
    }

    /// <summary>X'X from row blocks that stay in cache, summed in block order (the same result on any thread count).</summary>
    private static double[,] Gram(IReadOnlyList<DesignColumn> columns, int n)
    {
        int p = columns.Count, blocks = (n + GramBlock - 1) / GramBlock;
        var partial = new double[blocks, p * p];
        Parallel.For(0, blocks, blk =>
        {
            int start = blk * GramBlock, len = Math.Min(GramBlock, n - start);
            for (int i = 0; i < p; i++)
            {
                var xi = columns[i].Values.AsSpan(start, len);
                for (int j = 0; j <= i; j++)
                    partial[blk, i * p + j] = TensorPrimitives.Dot<double>(xi, columns[j].Values.AsSpan(start, len));
            }
        });
        var gram = new double[p, p];
        for (int blk = 0; blk < blocks; blk++)
            for (int i = 0; i < p; i++)
                for (int j = 0; j <= i; j++) gram[i, j] += partial[blk, i * p + j];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++) gram[j, i] = gram[i, j];
        return gram;
    }

    private static (List<DesignColumn> Kept, List<string> Dropped) GramSchmidt(IReadOnlyList<DesignColumn> columns)
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

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
    /// <summary>A column with nonzeros in at most one row in this many is summed over those rows alone.</summary>
    private const int SparseFraction = 16;

    public static (List<DesignColumn> Kept, List<string> Dropped) Reduce(IReadOnlyList<DesignColumn> columns, ParallelOptions? parallel = null)
    {
        // Almost every design has full rank by a wide margin; the Gram matrix shows that in one pass over the data
        // instead of Gram-Schmidt's p^2 passes. Its rounding (about 1e-14
        // relative in a squared residual) cannot move a ratio above 1e-3 to below 1e-7, so it only decides there.
        // Columns of zeros (an interaction's empty cells) are dropped first: they change no other column's residual,
        // and would otherwise send the whole design to Gram-Schmidt.
        var nonzero = columns.Where(c => !IsZero(c.Values)).ToList();
        if (ClearlyFullRank(nonzero, parallel ?? new ParallelOptions()))
            return (nonzero, columns.Where(c => IsZero(c.Values)).Select(c => c.Name).ToList());
        return GramSchmidt(columns);
    }

    private static bool IsZero(double[] x) => !x.AsSpan().ContainsAnyExcept(0.0);

    /// <summary>
    /// True when, by the Cholesky factorisation of X'X, every column's residual after projection on the ones
    /// before it is above <see cref="ScreenRatio"/> of its own length.
    /// </summary>
    private static bool ClearlyFullRank(IReadOnlyList<DesignColumn> columns, ParallelOptions parallel)
    {
        int p = columns.Count;
        if (p == 0) return true;
        int n = columns[0].Values.Length;
        var gram = Gram(columns, n, parallel);
        // Rows of the factor as arrays, so that each inner product is one vectorised dot.
        var l = new double[p][];
        for (int j = 0; j < p; j++)
        {
            double diagonal = gram[j, j];
            // Zero, tiny or huge columns go to Gram-Schmidt, which scales them.
            if (!(diagonal > 1e-280 && diagonal < 1e280)) return false;
            var row = l[j] = new double[j + 1];
            for (int i = 0; i < j; i++)
                row[i] = (gram[j, i] - TensorPrimitives.Dot<double>(row.AsSpan(0, i), l[i].AsSpan(0, i))) / l[i][i];
            double residual = diagonal - TensorPrimitives.Dot<double>(row.AsSpan(0, j), row.AsSpan(0, j));
            if (!(residual > ScreenRatio * ScreenRatio * diagonal)) return false;
            row[j] = Math.Sqrt(residual);
        }
        return true;
    }

    /// <summary>
    /// X'X, each entry summed by one thread in a fixed order, so the same on any thread count: two dense columns by
    /// row blocks that stay in cache, added in block order; a sparse column (a factor level's indicator) over its
    /// nonzero rows alone, so that a factor of many levels costs its rows, not rows times levels squared.
    /// </summary>
    private static double[,] Gram(IReadOnlyList<DesignColumn> columns, int n, ParallelOptions parallel)
    {
        int p = columns.Count;
        var nonzeroRows = new int[]?[p];
        Parallel.For(0, p, parallel, c => nonzeroRows[c] = SparseRows(columns[c].Values));
        var gram = new double[p, p];
        Parallel.For(0, p, parallel, i =>
        {
            for (int j = 0; j <= i; j++)
                gram[i, j] = Dot(columns[i].Values, nonzeroRows[i], columns[j].Values, nonzeroRows[j], n);
        });
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++) gram[j, i] = gram[i, j];
        return gram;
    }

    /// <summary>The rows where <paramref name="x"/> is not zero, when they are few enough to sum over; else null.</summary>
    private static int[]? SparseRows(double[] x)
    {
        int limit = x.Length / SparseFraction, count = 0;
        foreach (double v in x)
            if (v != 0 && ++count > limit) return null;
        var rows = new int[count];
        for (int i = 0, k = 0; k < count; i++)
            if (x[i] != 0) rows[k++] = i;
        return rows;
    }

    private static double Dot(double[] a, int[]? aRows, double[] b, int[]? bRows, int n)
    {
        if (aRows is null && bRows is null)
        {
            double sum = 0;
            for (int start = 0; start < n; start += GramBlock)
            {
                int len = Math.Min(GramBlock, n - start);
                sum += TensorPrimitives.Dot<double>(a.AsSpan(start, len), b.AsSpan(start, len));
            }
            return sum;
        }
        var rows = bRows is null || (aRows is not null && aRows.Length <= bRows.Length) ? aRows! : bRows;
        double s = 0;
        foreach (int r in rows) s += a[r] * b[r];
        return s;
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

using GlmmGpu.Kernels.Linear;

namespace GlmmGpu.Engines;

/// <summary>
/// The cross-products a linear mixed model with one grouping factor needs: per cluster Z'WZ (q x q), Z'WX
/// (q x p), Z'Wy (q); globally X'WX, X'Wy, y'Wy and the sum of log w. After the pass over the rows that forms
/// them (<see cref="CrossProducts"/>, on the CPU by <see cref="HostStatisticsPass"/> or in a device's kernels)
/// every evaluation of the profiled deviance costs O(clusters), independent of the number of rows.
/// </summary>
internal sealed class LmmSufficientStatistics
{
    public int G { get; }
    public int Q { get; }
    public int P { get; }
    public int N { get; }
    public double[] ZtWZ { get; }
    /// <summary>Z'WX, entry (c, d, a) at <c>(c q + d) p + a</c>, as the kernels write it.</summary>
    public double[] ZtWX => ztwx ??= Transpose(ztwxByColumn!, P, G * Q);
    public double[] ZtWy { get; }
    public double[,] XtWX { get; }
    public double[] XtWy { get; }
    public double YtWy { get; }
    /// <summary>Sum of log prior weights (the likelihood of precision-weighted rows includes it).</summary>
    public double SumLogW { get; }

    private double[]? ztwx, ztwxByColumn;

    /// <summary>Z'WX with column a's entries for all clusters contiguous (<c>[a * G * q + c * q + d]</c>), so that
    /// the profiled deviance can run SIMD across clusters; the CPU path writes it so, others have it formed on
    /// first use.</summary>
    public double[] ZtWXByColumn => ztwxByColumn ??= Transpose(ztwx!, G * Q, P);

    /// <summary>
    /// From the per-cluster arrays and the global entries' partials over row blocks (entry-major:
    /// <c>partials[entry * rowBlocks + block]</c>), each entry's blocks added in block order, as every engine does.
    /// <paramref name="ztwx"/> is in <see cref="ZtWX"/>'s layout, or <see cref="ZtWXByColumn"/>'s if
    /// <paramref name="ztwxByColumn"/>.
    /// </summary>
    public LmmSufficientStatistics(int g, int q, int p, int n, double[] ztwz, double[] ztwx, double[] ztwy, double[] partials, int rowBlocks,
        bool ztwxByColumn = false, ParallelOptions? parallel = null)
    {
        G = g; Q = q; P = p; N = n;
        Parallel = parallel ?? new ParallelOptions();
        ZtWZ = ztwz;
        if (ztwxByColumn) this.ztwxByColumn = ztwx;
        else this.ztwx = ztwx;
        ZtWy = ztwy;
        XtWX = new double[p, p];
        XtWy = new double[p];
        int entry = 0;
        for (int a = 0; a < p; a++)
            for (int b = 0; b <= a; b++) XtWX[a, b] = XtWX[b, a] = Total(partials, entry++, rowBlocks);
        for (int a = 0; a < p; a++) XtWy[a] = Total(partials, entry++, rowBlocks);
        YtWy = Total(partials, entry++, rowBlocks);
        SumLogW = Total(partials, entry, rowBlocks);
    }

    /// <summary>The threads the work on these statistics may take (the fit's <c>--threads</c>, from the engine that
    /// formed them): the profiled deviance's passes over the clusters.</summary>
    public ParallelOptions Parallel { get; }

    /// <summary>Row blocks of <see cref="CrossProducts.GlobalRowBlock"/> rows that the global entries are summed in.</summary>
    public static int RowBlocks(int n) => (n + CrossProducts.GlobalRowBlock - 1) / CrossProducts.GlobalRowBlock;

    /// <summary>A rows x columns row-major matrix, transposed.</summary>
    private static double[] Transpose(double[] matrix, int rows, int columns)
    {
        var result = new double[matrix.Length];
        for (int r = 0; r < rows; r++)
            for (int a = 0; a < columns; a++) result[a * rows + r] = matrix[r * columns + a];
        return result;
    }

    private static double Total(double[] partials, int entry, int blocks)
    {
        double s = 0;
        for (int blk = 0; blk < blocks; blk++) s += partials[entry * blocks + blk];
        return s;
    }
}

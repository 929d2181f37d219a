using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Linear;

/// <summary>
/// The cross-products a linear mixed model with one grouping factor needs, gathered in one pass over the rows:
/// per cluster Z'WZ (q x q), Z'WX (q x p), Z'Wy (q); globally X'WX, X'Wy, y'Wy. After this pass every
/// evaluation of the profiled deviance costs O(clusters), independent of the number of rows.
/// </summary>
internal sealed class LmmSufficientStatistics
{
    private const int ClusterBlock = 2048;
    public int G { get; }
    public int Q { get; }
    public int P { get; }
    public int N { get; }
    public double[] ZtWZ { get; }
    public double[] ZtWX { get; }
    public double[] ZtWy { get; }
    public double[,] XtWX { get; }
    public double[] XtWy { get; }
    public double YtWy { get; private set; }
    /// <summary>Sum of log prior weights (the likelihood of precision-weighted rows includes it).</summary>
    public double SumLogW { get; private set; }

    private LmmSufficientStatistics(int g, int q, int p, int n)
    {
        G = g; Q = q; P = p; N = n;
        ZtWZ = new double[g * q * q];
        ZtWX = new double[g * q * p];
        ZtWy = new double[g * q];
        XtWX = new double[p, p];
        XtWy = new double[p];
    }

    /// <summary>Gathers the cross-products for response <paramref name="y"/> (offset already removed) and
    /// weights <paramref name="w"/>; parallel over blocks of clusters, summed in block order (reproducible).</summary>
    public static LmmSufficientStatistics Compute(ModelFrame frame, RandomEffectsBlock block, double[] y, double[] w, int threads)
    {
        int n = frame.RowCount, p = frame.P, q = block.Q, g = block.LevelCount;
        var offsets = block.ClusterOffsets!;
        var s = new LmmSufficientStatistics(g, q, p, n);
        int blocks = (g + ClusterBlock - 1) / ClusterBlock;
        var partXX = new double[blocks][];
        var partXy = new double[blocks][];
        var partYY = new double[blocks];
        var partLogW = new double[blocks];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        var x = frame.X;
        var z = block.Z;
        Parallel.For(0, blocks, options, blk =>
        {
            var xx = new double[p * p];
            var xy = new double[p];
            double yy = 0, logW = 0;
            var xrow = new double[p];
            var zrow = new double[q];
            int last = Math.Min(g, (blk + 1) * ClusterBlock);
            for (int c = blk * ClusterBlock; c < last; c++)
            {
                for (int i = offsets[c]; i < offsets[c + 1]; i++)
                {
                    double wi = w[i], yi = y[i];
                    if (wi > 0) logW += Math.Log(wi);
                    for (int a = 0; a < p; a++) xrow[a] = x[(long)a * n + i];
                    for (int d = 0; d < q; d++) zrow[d] = z[(long)d * n + i];
                    yy += wi * yi * yi;
                    for (int a = 0; a < p; a++)
                    {
                        double wx = wi * xrow[a];
                        xy[a] += wx * yi;
                        for (int b = 0; b <= a; b++) xx[a * p + b] += wx * xrow[b];
                    }
                    for (int d = 0; d < q; d++)
                    {
                        double wz = wi * zrow[d];
                        s.ZtWy[c * q + d] += wz * yi;
                        for (int e = 0; e < q; e++) s.ZtWZ[(c * q + d) * q + e] += wz * zrow[e];
                        for (int a = 0; a < p; a++) s.ZtWX[(c * q + d) * p + a] += wz * xrow[a];
                    }
                }
            }
            partXX[blk] = xx;
            partXy[blk] = xy;
            partYY[blk] = yy;
            partLogW[blk] = logW;
        });
        for (int blk = 0; blk < blocks; blk++)
        {
            for (int a = 0; a < p; a++)
            {
                s.XtWy[a] += partXy[blk][a];
                for (int b = 0; b <= a; b++) s.XtWX[a, b] += partXX[blk][a * p + b];
            }
            s.YtWy += partYY[blk];
            s.SumLogW += partLogW[blk];
        }
        for (int a = 0; a < p; a++)
            for (int b = 0; b < a; b++) s.XtWX[b, a] = s.XtWX[a, b];
        return s;
    }
}

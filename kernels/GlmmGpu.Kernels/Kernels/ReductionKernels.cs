using GlmmGpu.Kernels.Clusters;
using ILGPU;

namespace GlmmGpu.Kernels.Kernels;

/// <summary>
/// Deterministic reductions: each thread sums a fixed block of clusters or rows sequentially into a partial
/// array, and the host adds the partials in block order. No atomics, so a result depends only on the data and
/// the block sizes, never on thread scheduling: evaluations are bitwise reproducible run to run.
/// </summary>
public static class ReductionKernels
{
    /// <summary>Doubles per cluster block: log-likelihood, dispersion gradient, Lambda gradient's lower triangle (q &lt;= 3).</summary>
    public const int ClusterPartialWidth = 8;

    /// <summary>
    /// Adds a batch's cluster outputs into the partials of the cluster blocks it overlaps (thread t: block
    /// <c>firstBlock + t</c>). A block split between batches continues from the partial the previous batch left,
    /// so the sum is the same sequential sum as with one batch: batching never changes a bit of the result.
    /// </summary>
    public static void ClusterSums(Index1D t, ArrayView<ClusterOutput> outputs, int firstCluster, int batchCount,
        int firstBlock, int blockSize, ArrayView<double> partials)
    {
        int block = firstBlock + t;
        int blockStart = block * blockSize;
        int lo = blockStart > firstCluster ? blockStart : firstCluster;
        int batchEnd = firstCluster + batchCount, blockEnd = blockStart + blockSize;
        int hi = blockEnd < batchEnd ? blockEnd : batchEnd;
        int at = block * ClusterPartialWidth;
        bool fresh = lo == blockStart;
        double ll = fresh ? 0.0 : partials[at];
        double phi = fresh ? 0.0 : partials[at + 1];
        double l00 = fresh ? 0.0 : partials[at + 2];
        double l10 = fresh ? 0.0 : partials[at + 3];
        double l11 = fresh ? 0.0 : partials[at + 4];
        double l20 = fresh ? 0.0 : partials[at + 5];
        double l21 = fresh ? 0.0 : partials[at + 6];
        double l22 = fresh ? 0.0 : partials[at + 7];
        for (int g = lo; g < hi; g++)
        {
            int i = g - firstCluster;
            ll += outputs[i].LogLik;
            phi += outputs[i].DispersionGradient;
            l00 += outputs[i].LambdaGradient.A00;
            l10 += outputs[i].LambdaGradient.A10;
            l11 += outputs[i].LambdaGradient.A11;
            l20 += outputs[i].LambdaGradient.A20;
            l21 += outputs[i].LambdaGradient.A21;
            l22 += outputs[i].LambdaGradient.A22;
        }
        partials[at] = ll;
        partials[at + 1] = phi;
        partials[at + 2] = l00;
        partials[at + 3] = l10;
        partials[at + 4] = l11;
        partials[at + 5] = l20;
        partials[at + 6] = l21;
        partials[at + 7] = l22;
    }

    /// <summary>
    /// Partial X'alpha: thread t sums column <c>t / blocks</c> over row block <c>t % blocks</c> into
    /// <c>partials[t]</c> (column-major, so the host adds each column's blocks in order).
    /// </summary>
    public static void FixedGradient(Index1D t, ArrayView<double> x, ArrayView<double> alpha, int n, int blocks, int blockSize,
        ArrayView<double> partials)
    {
        int k = t / blocks, block = t - k * blocks;
        int start = block * blockSize;
        int end = start + blockSize < n ? start + blockSize : n;
        int column = k * n;
        double s = 0.0;
        for (int i = start; i < end; i++) s += x[column + i] * alpha[i];
        partials[t] = s;
    }
}

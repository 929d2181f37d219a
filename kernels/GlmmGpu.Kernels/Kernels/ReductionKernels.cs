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
    /// Partial X'alpha over fixed global blocks of <paramref name="blockSize"/> rows, for the rows
    /// [rowBase, rowBase + rowCount) that x and alpha hold (x column-major with column stride
    /// <paramref name="stride"/>). Thread t sums column <c>t / span</c> over its share of block
    /// <c>firstBlock + t % span</c> into <c>partials[column * blocks + block]</c>; a block split between two
    /// calls (rows streamed batch by batch) continues from the partial the first left, so the sum is the one a
    /// single call over all rows makes, bit for bit.
    /// </summary>
    public static void FixedGradient(Index1D t, ArrayView<double> x, ArrayView<double> alpha, int stride, int rowBase, int rowCount,
        int firstBlock, int span, int blocks, int blockSize, ArrayView<double> partials)
    {
        int k = t / span, block = firstBlock + (t - k * span);
        int blockStart = block * blockSize;
        int lo = blockStart > rowBase ? blockStart : rowBase;
        int blockEnd = blockStart + blockSize, rowEnd = rowBase + rowCount;
        int hi = blockEnd < rowEnd ? blockEnd : rowEnd;
        int at = k * blocks + block;
        double s = lo == blockStart ? 0.0 : partials[at];
        int column = k * stride - rowBase;
        for (int i = lo; i < hi; i++) s += x[column + i] * alpha[i - rowBase];
        partials[at] = s;
    }
}

using GlmmGpu.Kernels.Linear;
using GlmmGpu.Model;

namespace GlmmGpu.Engines.Cpu;

/// <summary>Writes rows [start, start + response.Length) of the response (offset taken out) and their weights.</summary>
internal delegate void RowFill(int start, Span<double> response, Span<double> weight);

/// <summary>
/// The CPU's pass over the rows that forms <see cref="LmmSufficientStatistics"/>: row block by row block
/// (<see cref="CrossProducts.GlobalRowBlock"/>, the devices' blocks), the block's response and weights are formed
/// into a buffer of the block's size, and while they and the block's X and Z are in cache, the block's global
/// partials and the cross-products of the clusters that lie within the block are summed. So the rows are read
/// from memory once, and no array of n responses or weights is kept. A cluster that crosses a block boundary
/// (about one per block) is summed afterwards from its rows formed again for it alone: the same numbers, since
/// forming them is deterministic. Blocks' partials are added in block order: the result does not depend on the
/// number of threads.
/// </summary>
internal static class HostStatisticsPass
{
    private const int RowBlock = CrossProducts.GlobalRowBlock;

    /// <summary>For a response and weights already in arrays (the response with the offset taken out).</summary>
    public static LmmSufficientStatistics Compute(ModelFrame frame, RandomEffectsBlock block, double[] y, double[] w, ParallelOptions options) =>
        Compute(frame, block, (start, response, weight) =>
        {
            y.AsSpan(start, response.Length).CopyTo(response);
            w.AsSpan(start, weight.Length).CopyTo(weight);
        }, options);

    public static LmmSufficientStatistics Compute(ModelFrame frame, RandomEffectsBlock block, RowFill fill, ParallelOptions options)
    {
        int n = frame.RowCount, p = frame.P, q = block.Q, g = block.LevelCount;
        var offsets = block.ClusterOffsets!;
        var ztwz = new double[g * q * q];
        var ztwx = new double[g * q * p];
        var ztwy = new double[g * q];
        // One random effect: Z'WX by column, as the one-theta deviance and modes read it (no transposed copy).
        int byColumn = q == 1 ? g : 0;
        int blocks = LmmSufficientStatistics.RowBlocks(n), entries = CrossProducts.GlobalCount(p);
        var partials = new double[entries * blocks];
        Parallel.For(0, blocks, options, () => new Buffers(RowBlock, entries), (blk, _, buffers) =>
        {
            int start = blk * RowBlock, end = Math.Min(n, start + RowBlock);
            fill(start, buffers.Response.AsSpan(0, end - start), buffers.Weight.AsSpan(0, end - start));
            var rows = new HostLinearRows(frame.X, block.Z, buffers.Response, buffers.Weight, n, p, q, start);
            HostCrossProducts.Global(rows, start, end, entries, buffers.Sums);
            for (int k = 0; k < entries; k++) partials[k * blocks + blk] = buffers.Sums[k];
            for (int c = FirstClusterFrom(offsets, start); c < g && offsets[c] < end; c++)
                if (WithinOneBlock(offsets, c, n)) HostCrossProducts.Cluster(rows, c, offsets[c], offsets[c + 1], ztwz, ztwx, ztwy, byColumn);
            return buffers;
        }, _ => { });
        var crossing = Enumerable.Range(0, g).Where(c => !WithinOneBlock(offsets, c, n)).ToArray();
        Parallel.For(0, crossing.Length, options, k =>
        {
            int c = crossing[k], start = offsets[c], length = offsets[c + 1] - start;
            var buffers = new Buffers(length, 0);
            fill(start, buffers.Response, buffers.Weight);
            var rows = new HostLinearRows(frame.X, block.Z, buffers.Response, buffers.Weight, n, p, q, start);
            HostCrossProducts.Cluster(rows, c, start, offsets[c + 1], ztwz, ztwx, ztwy, byColumn);
        });
        return new LmmSufficientStatistics(g, q, p, n, ztwz, ztwx, ztwy, partials, blocks, ztwxByColumn: byColumn > 0, options);
    }

    /// <summary>Whether cluster c's rows (none, for an empty level at the end) all lie in the block of its first row.</summary>
    private static bool WithinOneBlock(int[] offsets, int c, int n) =>
        offsets[c] < n && offsets[c + 1] <= (offsets[c] / RowBlock + 1) * RowBlock;

    /// <summary>The first cluster whose rows start at or after <paramref name="row"/> (offsets ascend).</summary>
    private static int FirstClusterFrom(int[] offsets, int row)
    {
        int lo = 0, hi = offsets.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (offsets[mid] < row) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private sealed class Buffers(int rows, int entries)
    {
        public readonly double[] Response = new double[rows];
        public readonly double[] Weight = new double[rows];
        public readonly double[] Sums = new double[entries];
    }
}

using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>Where the device layout puts each row, and how it cuts clusters into blocks and batches.</summary>
public class SlotLayoutTests
{
    private static readonly ClusterSizePolicy Policy = new(WarpFromRows: 8, GroupFromRows: 20, GroupThreads: 8, WarpsPerGroup: 2);

    private static int[] Offsets(int[] sizes)
    {
        var offsets = new int[sizes.Length + 1];
        for (int g = 0; g < sizes.Length; g++) offsets[g + 1] = offsets[g] + sizes[g];
        return offsets;
    }

    [Fact]
    public void SmallClustersRowsAreInterleavedAcrossTheLanesOfATile()
    {
        // Warp width 4; clusters 0..5 small (1 to 7 rows), 6 and 7 a warp's, 8 a group's.
        var sizes = new[] { 3, 1, 7, 2, 3, 5, 9, 12, 25 };
        var offsets = Offsets(sizes);
        var layout = SlotLayout.Build(offsets, Policy, warpWidth: 4, threadsPerBlock: 8);
        // By rows, ties by index: 1 (1 row), 3 (2), 0 (3), 4 (3) | 5 (5), 2 (7).
        Assert.Equal(new[] { 1, 3, 0, 4, 5, 2, 6, 7, 8 }, layout.Order);
        Assert.Equal((6, 2, 1), (layout.ThreadClusters, layout.WarpClusters, layout.GroupClusters));
        // Tile 0 is 3 deep (cluster 4's rows), tile 1 is 7 deep: 12 + 28 slots, then 9 + 12 + 25.
        Assert.Equal(12 + 28 + 9 + 12 + 25, layout.SlotCount);
        // Row r of the cluster at lane l of a tile sits at tile start + 4 r + l.
        Assert.Equal(new[] { 2, 0, 13, 1, 3, 12, 40, 49, 61 }, layout.SlotStarts);
        for (int r = 0; r < 3; r++) Assert.Equal(offsets[0] + r, layout.RowOfSlot[2 + 4 * r]);
        for (int r = 0; r < 7; r++) Assert.Equal(offsets[2] + r, layout.RowOfSlot[13 + 4 * r]);
        for (int r = 0; r < 12; r++) Assert.Equal(offsets[7] + r, layout.RowOfSlot[49 + r]);
        // Every row exactly once; the rest padding.
        Assert.Equal(Enumerable.Range(0, offsets[^1]), layout.RowOfSlot.Where(r => r >= 0).Order());
        // Blocks: the 6 small clusters in one block of 8 threads (both tiles), the 2 warp ones in one, the group one alone.
        Assert.Equal(new[] { 0, 40, 61, 86 }, layout.BlockSlots);
        Assert.Equal(new[] { 0, 6, 8, 9 }, layout.BlockClusters);
    }

    [Fact]
    public void BatchesAreRunsOfWholeBlocksWithinTheirLimits()
    {
        var sizes = Enumerable.Range(0, 100).Select(g => 1 + g % 23).ToArray();
        var layout = SlotLayout.Build(Offsets(sizes), Policy, warpWidth: 4, threadsPerBlock: 8);
        var batches = layout.Split(maxClusters: 10, maxBytes: long.MaxValue, bytesPerCluster: 0, bytesPerSlot: 0);
        Assert.Equal(0, batches[0].FirstBlock);
        for (int b = 1; b < batches.Length; b++)
        {
            Assert.Equal(batches[b - 1].FirstBlock + batches[b - 1].BlockCount, batches[b].FirstBlock);
            Assert.Equal(batches[b - 1].FirstSlot + batches[b - 1].SlotCount, batches[b].FirstSlot);
        }
        Assert.Equal(layout.Blocks, batches.Sum(b => b.BlockCount));
        Assert.Equal(100, batches.Sum(b => b.ClusterCount));
        // A block of 8 small clusters, or 2 warp ones, or 1 group one: batches of at most 10 clusters hold one small block.
        Assert.All(batches, b => Assert.InRange(b.ClusterCount, 1, 10));
        var (threads, warps, groups) = layout.Classes(batches[^1]);
        Assert.Equal(0, threads.BlockCount);
        Assert.Equal(batches[^1].ClusterCount, warps.ClusterCount + groups.ClusterCount);
    }
}

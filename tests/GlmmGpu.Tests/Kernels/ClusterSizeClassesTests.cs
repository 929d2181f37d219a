using GlmmGpu.Scheduling;
using Xunit;

namespace GlmmGpu.Tests.Kernels;

/// <summary>How the scheduler sorts each batch's clusters into the thread, warp and group kernels' lists.</summary>
public class ClusterSizeClassesTests
{
    private static int[] Offsets(params int[] sizes)
    {
        var offsets = new int[sizes.Length + 1];
        for (int g = 0; g < sizes.Length; g++) offsets[g + 1] = offsets[g] + sizes[g];
        return offsets;
    }

    [Fact]
    public void EachBatchsClustersGoToOneListBySizeWithTheThreadListOrderedByRows()
    {
        // Warp from 8 rows, group from 64.
        var policy = new ClusterSizePolicy(WarpFromRows: 8, GroupFromRows: 64, GroupThreads: 16, WarpsPerGroup: 4);
        var sizes = new[] { 5, 3, 9, 100, 3, 1, 64, 7, 8, 2 };
        var offsets = Offsets(sizes);
        var batches = new[] { new ClusterBatch(0, 6, 0, offsets[6]), new ClusterBatch(6, 4, offsets[6], offsets[10] - offsets[6]) };
        var classes = ClusterSizeClasses.Build(offsets, batches, policy);

        int[] Of(ClusterList l) => classes.Lists[l.Offset..(l.Offset + l.Count)];
        // Batch 0: clusters 0..5. Small ones by rows (ties by index): 5 (1 row), 1 and 4 (3), 0 (5).
        Assert.Equal(new[] { 5, 1, 4, 0 }, Of(classes.Threads[0]));
        Assert.Equal(new[] { 2 }, Of(classes.Warps[0]));
        Assert.Equal(new[] { 3 }, Of(classes.Groups[0]));
        // Batch 1: clusters 6..9.
        Assert.Equal(new[] { 9, 7 }, Of(classes.Threads[1]));
        Assert.Equal(new[] { 8 }, Of(classes.Warps[1]));
        Assert.Equal(new[] { 6 }, Of(classes.Groups[1]));
        // Every cluster exactly once.
        Assert.Equal(Enumerable.Range(0, sizes.Length), classes.Lists.Order());
    }

    [Fact]
    public void HugeClustersOnOneThreadAreOrderedWithoutATableOfCounts()
    {
        var policy = new ClusterSizePolicy(int.MaxValue, int.MaxValue, 16, 4);
        var sizes = new[] { 3_000_000, 2, 2_000_000, 1 };
        var offsets = Offsets(sizes);
        var classes = ClusterSizeClasses.Build(offsets, new[] { new ClusterBatch(0, 4, 0, offsets[4]) }, policy);
        Assert.Equal(new[] { 3, 1, 2, 0 }, classes.Lists);
        Assert.Equal(0, classes.Warps[0].Count);
        Assert.Equal(0, classes.Groups[0].Count);
    }
}

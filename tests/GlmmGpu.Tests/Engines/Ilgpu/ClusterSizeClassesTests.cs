using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>How the device engine sorts the clusters into the thread, warp and group kernels' lists.</summary>
public class ClusterSizeClassesTests
{
    private static int[] Offsets(params int[] sizes)
    {
        var offsets = new int[sizes.Length + 1];
        for (int g = 0; g < sizes.Length; g++) offsets[g + 1] = offsets[g] + sizes[g];
        return offsets;
    }

    [Fact]
    public void EachClusterGoesToOneListBySizeWithTheThreadListOrderedByRows()
    {
        // Warp from 8 rows, group from 64.
        var policy = new ClusterSizePolicy(WarpFromRows: 8, GroupFromRows: 64, GroupThreads: 16, WarpsPerGroup: 4);
        var sizes = new[] { 5, 3, 9, 100, 3, 1, 64, 7, 8, 2 };
        var classes = ClusterSizeClasses.Build(Offsets(sizes), policy);

        int[] Of(ClusterList l) => classes.Lists[l.Offset..(l.Offset + l.Count)];
        // Small ones by rows (ties by index): 5 (1 row), 9 (2), 1 and 4 (3), 0 (5), 7 (7).
        Assert.Equal(new[] { 5, 9, 1, 4, 0, 7 }, Of(classes.Threads));
        Assert.Equal(new[] { 2, 8 }, Of(classes.Warps));
        Assert.Equal(new[] { 3, 6 }, Of(classes.Groups));
        // Every cluster exactly once.
        Assert.Equal(Enumerable.Range(0, sizes.Length), classes.Lists.Order());
    }

    [Fact]
    public void HugeClustersOnOneThreadAreOrderedWithoutATableOfCounts()
    {
        var policy = new ClusterSizePolicy(int.MaxValue, int.MaxValue, 16, 4);
        var sizes = new[] { 3_000_000, 2, 2_000_000, 1 };
        var offsets = Offsets(sizes);
        var classes = ClusterSizeClasses.Build(offsets, policy);
        Assert.Equal(new[] { 3, 1, 2, 0 }, classes.Lists);
        Assert.Equal(0, classes.Warps.Count);
        Assert.Equal(0, classes.Groups.Count);
    }
}

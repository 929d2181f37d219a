using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Linear;
using Xunit;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Tests.Fitting;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Engines.Cpu;

/// <summary>The CPU's block-by-block pass gives CrossProducts' statistics to the bit (the sum of log w to
/// rounding), clusters that cross row blocks included, whatever the number of threads.</summary>
public class HostStatisticsPassTests
{
    [Theory]
    [InlineData(1, 7, 2000, 0)]
    [InlineData(2, 3, 3001, 1)]
    [InlineData(1, 5000, 3, 2)]
    public void StatisticsAreCrossProductsToTheBit(int q, int perGroup, int groups, int threads)
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups, perGroup, q, correlated: true, seed: 4);
        var block = frame.RandomEffects[0];
        int n = frame.RowCount, p = frame.P, g = block.LevelCount;
        var rng = new Random(2);
        var y = frame.Response.Select(v => Math.Log(v + 0.5)).ToArray();
        var w = y.Select(_ => rng.NextDouble() < 0.05 ? 0.0 : 0.1 + rng.NextDouble()).ToArray();
        var actual = HostStatisticsPass.Compute(frame, block, y, w, new ExecutionOptions { Threads = threads }.Parallel);

        var rows = new HostLinearRows(frame.X, block.Z, y, w, n, p, q);
        var target = new ClusterStatisticsArrays(g, p, q);
        for (int c = 0; c < g; c++) CrossProducts.Cluster(ref rows, ref target, c, block.ClusterOffsets![c], block.ClusterOffsets[c + 1], p, q);
        int blocks = LmmSufficientStatistics.RowBlocks(n), entries = CrossProducts.GlobalCount(p);
        var partials = new double[entries * blocks];
        for (int k = 0; k < entries; k++)
            for (int blk = 0; blk < blocks; blk++)
            {
                int start = blk * CrossProducts.GlobalRowBlock;
                partials[k * blocks + blk] = CrossProducts.Global(ref rows, k, start, Math.Min(n, start + CrossProducts.GlobalRowBlock), p, q);
            }
        var expected = new LmmSufficientStatistics(g, q, p, n, target.ZtWZ, target.ZtWX, target.ZtWy, partials, blocks);

        Assert.Equal(expected.ZtWZ, actual.ZtWZ);
        Assert.Equal(expected.ZtWX, actual.ZtWX);
        Assert.Equal(expected.ZtWXByColumn, actual.ZtWXByColumn);
        Assert.Equal(expected.ZtWy, actual.ZtWy);
        Assert.Equal(expected.XtWX, actual.XtWX);
        Assert.Equal(expected.XtWy, actual.XtWy);
        Assert.Equal(expected.YtWy, actual.YtWy);
        Assert.True(Math.Abs(actual.SumLogW - expected.SumLogW) <= 1e-13 * Math.Abs(expected.SumLogW), $"sum log w {actual.SumLogW:R} vs {expected.SumLogW:R}");
    }
}

using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Linear;
using Xunit;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Tests.Fitting;

namespace GlmmGpu.Tests.Engines.Cpu;

/// <summary>The CPU's streamed cross-products are the shared <see cref="CrossProducts"/>' entries to the bit (so
/// the CPU and a device agree exactly), the sum of log w to rounding.</summary>
public class HostCrossProductsTests
{
    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    public void ClustersAreCrossProductsEntriesToTheBit(int q, int perGroup)
    {
        var (rows, offsets, g) = Rows(q, perGroup);
        int p = rows.P;
        var ztwz = new double[g * q * q];
        var ztwx = new double[g * q * p];
        var ztwy = new double[g * q];
        var expected = new ClusterStatisticsArrays(g, p, q);
        var r = rows;
        for (int c = 0; c < g; c++)
        {
            HostCrossProducts.Cluster(rows, c, offsets[c], offsets[c + 1], ztwz, ztwx, ztwy);
            CrossProducts.Cluster(ref r, ref expected, c, offsets[c], offsets[c + 1], p, q);
        }
        Assert.Equal(expected.ZtWZ, ztwz);
        Assert.Equal(expected.ZtWX, ztwx);
        Assert.Equal(expected.ZtWy, ztwy);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GlobalEntriesAreCrossProductsEntriesToTheBit(int q)
    {
        var (rows, _, _) = Rows(q, perGroup: 5);
        int p = rows.P, count = CrossProducts.GlobalCount(p);
        var entries = new double[count];
        var r = rows;
        var byChains = new double[count];
        foreach (var (start, end) in new[] { (0, rows.N), (17, 4113), (100, 101), (8, 16), (3, 10) })
        {
            HostCrossProducts.Global(rows, start, end, count, entries);
            HostCrossProducts.GlobalByChains(rows, start, end, count, byChains);
            int logs = CrossProducts.SumLogWeightEntry(p);
            for (int k = 0; k < count; k++)
            {
                if (k == logs) continue;
                double expected = CrossProducts.Global(ref r, k, start, end, p, q);
                Assert.Equal(expected, entries[k]);
                Assert.Equal(expected, byChains[k]);
            }
            double log = CrossProducts.Global(ref r, logs, start, end, p, q);
            Assert.True(Math.Abs(entries[logs] - log) <= 1e-13 * Math.Max(1, Math.Abs(log)), $"sum log w {entries[logs]:R} vs {log:R}");
        }
    }

    [Fact]
    public void LanesAddEachSumInRowOrder()
    {
        if (!RowOrderLanes.Applies(1, 1)) return;
        var (rows, _, _) = Rows(2, perGroup: 5);
        var r = rows;
        int[] left = [0, 4, 2], right = [1, 3, 0, 4, 2, 3, 1];
        var sums = new double[left.Length * right.Length];
        foreach (var (start, end) in new[] { (0, 4500), (5, 12), (9, 9), (1000, 1064) })
        {
            RowOrderLanes.Sums(rows, start, end, left, right, sums);
            for (int a = 0; a < left.Length; a++)
                for (int b = 0; b < right.Length; b++)
                    Assert.Equal(CrossProducts.Weighted(ref r, start, end, left[a], right[b]), sums[a * right.Length + b]);
        }
    }

    [Fact]
    public void FewerGlobalEntriesLeaveTheRestAlone()
    {
        var (rows, _, _) = Rows(1, perGroup: 5);
        int p = rows.P, count = CrossProducts.ResponseEntry(p, p);
        var entries = Enumerable.Repeat(-7.0, CrossProducts.GlobalCount(p)).ToArray();
        HostCrossProducts.Global(rows, 0, rows.N, count, entries);
        Assert.All(entries[count..], e => Assert.Equal(-7.0, e));
        Assert.All(entries[..count], e => Assert.NotEqual(-7.0, e));
    }

    private static (HostLinearRows Rows, int[] Offsets, int Groups) Rows(int q, int perGroup)
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 900, perGroup, q, correlated: true, seed: 21);
        var block = frame.RandomEffects[0];
        var rng = new Random(5);
        var y = frame.Response.Select(v => Math.Log(v + 0.5)).ToArray();
        var w = frame.Response.Select(_ => rng.NextDouble() < 0.05 ? 0.0 : 0.1 + rng.NextDouble()).ToArray();
        return (new HostLinearRows(frame.X, block.Z, y, w, frame.RowCount, frame.P, q), block.ClusterOffsets!, block.LevelCount);
    }
}

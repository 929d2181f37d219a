using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Tests.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>Clusters spread over several devices (here two ILGPU CPU accelerators) give the one-device answer.</summary>
public class MultiDeviceTests
{
    [Fact]
    public void BoundariesSplitRowsEvenlyOnClusterEdges()
    {
        var offsets = new[] { 0, 5, 6, 20, 21, 22, 40 };
        var bounds = ClusterRangeSlice.Boundaries(offsets, 3);
        // Rows 40: shares near 13 and 27 fall on the edges at 6 (a tie with 20) and 22.
        Assert.Equal(new[] { 0, 2, 5, 6 }, bounds);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6 }, ClusterRangeSlice.Boundaries(offsets, 6));
    }

    [Fact]
    public void TwoDevicesEqualTheCpuPath()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Gamma, LinkKind.Log, groups: 41, perGroup: 4, q: 2, correlated: true, seed: 12);
        var data = MarginalLikelihoodData.Create(frame, 3);
        using var cpu = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        using var first = IlgpuDevices.OpenCpu();
        using var second = IlgpuDevices.OpenCpu();
        using var spread = EngineFactory.CreateOn(data, new[] { first, second }, new ExecutionOptions(), ownsDevices: false);
        Assert.Equal("ilgpu-cpu+ilgpu-cpu", spread.Device);
        var psi = new double[data.Layout.Count];
        psi[0] = 0.2; psi[1] = 0.4; psi[2] = -0.3;
        for (int k = 0; k < data.Layout.ThetaCount; k++) psi[data.Layout.ThetaOffset + k] = data.Layout.IsThetaDiagonal(k) ? 0.6 : 0.1;
        psi[data.Layout.DispersionIndex] = Math.Log(1.5);
        var g1 = new double[psi.Length];
        var g2 = new double[psi.Length];
        double ll1 = cpu.Evaluate(psi, g1);
        double ll2 = spread.Evaluate(psi, g2);
        Assert.True(Math.Abs(ll1 - ll2) <= 1e-10 * Math.Abs(ll1), $"loglik {ll1:R} vs {ll2:R}");
        for (int i = 0; i < psi.Length; i++)
            Assert.True(Math.Abs(g1[i] - g2[i]) <= 1e-9 * Math.Max(1, Math.Abs(g1[i])), $"gradient {i}: {g1[i]:R} vs {g2[i]:R}");
        for (int c = 0; c < data.ClusterCount; c++)
            Assert.True(Math.Abs(cpu.Clusters[c].LogLik - spread.Clusters[c].LogLik) <= 1e-10 * Math.Abs(cpu.Clusters[c].LogLik), $"cluster {c}");
    }
}

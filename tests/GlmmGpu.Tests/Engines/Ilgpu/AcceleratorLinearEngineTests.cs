using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Tests.Fitting;
using GlmmGpu.Tests.Reference;
using Xunit;
using GlmmGpu.Engines.Cpu;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>
/// The linear mixed model and PQL on an ILGPU device against the CPU path, written once and made concrete per
/// accelerator (as <see cref="AcceleratorEngineTests"/>): whole fits through <see cref="FitOptions.Device"/>, and
/// the engine's passes over the rows on a frame large enough for several row blocks.
/// </summary>
public abstract class AcceleratorLinearEngineTests
{
    private const double Tolerance = 1e-10;

    /// <summary>The accelerator under test, shared by the engine-level tests of a class.</summary>
    private protected abstract IlgpuDevice Device { get; }
    /// <summary>The same accelerator as a fit requests it.</summary>
    private protected abstract DeviceChoice Choice { get; }

    [Theory]
    [InlineData("cbind(incidence, size - incidence) ~ period + (1 | herd)", null, false)]
    [InlineData("incidence / size ~ period + (1 | herd)", "size", false)]
    [InlineData("cbind(incidence, size - incidence) ~ period + (1 | herd)", null, true)]
    public void PqlMatchesTheCpuPath(string formula, string? weights, bool fixedScale)
    {
        var data = new ReferenceCase("cbpp_pql").Data();
        var spec = new ModelSpec(formula, FamilyKind.Binomial, Weights: weights);
        var cpu = Glmm.Fit(data, spec, new FitOptions { Method = FitMethod.Pql, PqlFixedScale = fixedScale, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        var device = Glmm.Fit(data, spec, new FitOptions { Method = FitMethod.Pql, PqlFixedScale = fixedScale, Execution = new ExecutionOptions { Device = Choice } });
        Assert.Equal(Device.Name, device.Device);
        Assert.Equal(cpu.Iterations, device.Iterations);
        Assert.Equal(cpu.Messages, device.Messages);
        AssertSameFit(cpu, device);
        AssertRelative(cpu.ResidualSd!.Value, device.ResidualSd!.Value, "residual SD");
    }

    [Theory]
    [InlineData("sleepstudy_ml", FitMethod.Ml)]
    [InlineData("sleepstudy_reml", FitMethod.Reml)]
    public void LinearMixedModelMatchesTheCpuPath(string name, FitMethod method)
    {
        var reference = new ReferenceCase(name);
        var spec = new ModelSpec(reference.Formula, FamilyKind.Gaussian);
        var cpu = Glmm.Fit(reference.Data(), spec, new FitOptions { Method = method, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        var device = Glmm.Fit(reference.Data(), spec, new FitOptions { Method = method, Execution = new ExecutionOptions { Device = Choice } });
        Assert.Equal(Device.Name, device.Device);
        Assert.Equal(cpu.Messages, device.Messages);
        AssertSameFit(cpu, device);
        AssertRelative(cpu.Dispersion!.Value, device.Dispersion!.Value, "sigma");
        AssertRelative(cpu.LogLik!.Value, device.LogLik!.Value, "log-likelihood");
        if (method == FitMethod.Reml) AssertRelative(cpu.RemlCriterion!.Value, device.RemlCriterion!.Value, "REML criterion");
        AssertRelative(cpu.VarCorr[0].Corr[0], device.VarCorr[0].Corr[0], "correlation");
    }

    [Fact]
    public void PassesOverTheRowsMatchTheCpuEngine()
    {
        // 9000 rows: three blocks of the global cross-products and of the eta-change sums.
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 3000, perGroup: 3, q: 2, correlated: true, seed: 12);
        var block = frame.RandomEffects[0];
        using var cpu = new CpuLinearEngine<PoissonLog>(frame, block, new ExecutionOptions { Threads = 0 }.Parallel);
        using var device = new IlgpuLinearEngine<PoissonLog>(frame, block, Device, ownsDevice: false);
        AssertSameStatistics(cpu.ResponseStatistics(), device.ResponseStatistics());
        var eta = frame.Response.Select(y => Math.Log(y + 0.5)).ToArray();
        cpu.SetEta(eta);
        device.SetEta(eta);
        var beta = new[] { 0.25, 0.45, -0.35 };
        var modes = Enumerable.Range(0, block.LevelCount).Select(c => new[] { 0.01 * (c % 17 - 8), 0.02 * (c % 5 - 2) }).ToArray();
        // Twice: the second working update reads the eta the first update wrote (the device swaps its eta buffers).
        for (int round = 0; round < 2; round++)
        {
            AssertSameStatistics(cpu.WorkingStatistics(1.0), device.WorkingStatistics(1.0));
            var expected = cpu.UpdateEta(beta, modes);
            var actual = device.UpdateEta(beta, modes);
            AssertClose(expected.Change, actual.Change, "sum of squared eta changes");
            AssertClose(expected.Size, actual.Size, "sum of squared eta");
            Assert.Equal((Bits(expected.Change), Bits(expected.Size), Bits(expected.MaxChange)), (Bits(actual.Change), Bits(actual.Size), Bits(actual.MaxChange)));
            beta[0] += 0.1;
        }
        // PQL's flat modes: the CPU's own path, the device through the interface's copy to one array per level.
        var flat = modes.SelectMany(m => m).ToArray();
        var cpuFlat = ((ILinearEngine)cpu).UpdateEta(beta, flat, block.Q);
        var deviceFlat = ((ILinearEngine)device).UpdateEta(beta, flat, block.Q);
        AssertClose(cpuFlat.Change, deviceFlat.Change, "sum of squared eta changes, flat modes");
        AssertClose(cpuFlat.Size, deviceFlat.Size, "sum of squared eta, flat modes");
        AssertSameStatistics(cpu.WorkingStatistics(1.0), device.WorkingStatistics(1.0));
    }

    private static void AssertSameFit(FitResult cpu, FitResult device)
    {
        Assert.Equal(cpu.Converged, device.Converged);
        for (int a = 0; a < cpu.FixedEffects.Count; a++)
        {
            AssertRelative(cpu.FixedEffects[a].Estimate, device.FixedEffects[a].Estimate, cpu.FixedEffects[a].Name);
            AssertRelative(cpu.FixedEffects[a].StdError, device.FixedEffects[a].StdError, "SE of " + cpu.FixedEffects[a].Name);
        }
        for (int d = 0; d < cpu.VarCorr[0].Sd.Length; d++) AssertRelative(cpu.VarCorr[0].Sd[d], device.VarCorr[0].Sd[d], $"SD {d}");
        for (int c = 0; c < cpu.Ranef[0].Modes.Length; c++)
            for (int d = 0; d < cpu.Ranef[0].Modes[c].Length; d++) AssertClose(cpu.Ranef[0].Modes[c][d], device.Ranef[0].Modes[c][d], $"mode {c}, {d}");
    }

    /// <summary>Equal to the CPU path's bit for bit (the device adds the same numbers in the same order, the warp kernels'
    /// shuffles included), but for the sum of log w, which the CPU path takes by products (LogSum).</summary>
    private static void AssertSameStatistics(LmmSufficientStatistics expected, LmmSufficientStatistics actual)
    {
        Assert.Equal(expected.ZtWZ.Select(Bits), actual.ZtWZ.Select(Bits));
        Assert.Equal(expected.ZtWX.Select(Bits), actual.ZtWX.Select(Bits));
        Assert.Equal(expected.ZtWy.Select(Bits), actual.ZtWy.Select(Bits));
        Assert.Equal(expected.XtWX.Cast<double>().Select(Bits), actual.XtWX.Cast<double>().Select(Bits));
        Assert.Equal(expected.XtWy.Select(Bits), actual.XtWy.Select(Bits));
        Assert.Equal(Bits(expected.YtWy), Bits(actual.YtWy));
        AssertAllClose(expected.ZtWZ, actual.ZtWZ, "Z'WZ");
        AssertAllClose(expected.ZtWX, actual.ZtWX, "Z'WX");
        AssertAllClose(expected.ZtWy, actual.ZtWy, "Z'Wy");
        AssertAllClose(expected.XtWX.Cast<double>().ToArray(), actual.XtWX.Cast<double>().ToArray(), "X'WX");
        AssertAllClose(expected.XtWy, actual.XtWy, "X'Wy");
        AssertClose(expected.YtWy, actual.YtWy, "y'Wy");
        AssertClose(expected.SumLogW, actual.SumLogW, "sum log w");
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    private static void AssertAllClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"{what}[{i}]");
    }

    private static void AssertRelative(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Abs(expected), $"{what}: CPU {expected:R}, accelerator {actual:R}");

    /// <summary>Relative to the entry, or absolute below 1 (sums that cancel to near zero, modes near zero).</summary>
    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1.0, Math.Abs(expected)),
            $"{what}: CPU {expected:R}, accelerator {actual:R}");
}

public sealed class IlgpuCpuLinearEngineTests(IlgpuCpuFixture fixture) : AcceleratorLinearEngineTests, IClassFixture<IlgpuCpuFixture>
{
    private protected override IlgpuDevice Device => fixture.Device;
    private protected override DeviceChoice Choice => DeviceChoice.IlgpuCpu;
}

#if GPU_TESTS
public sealed class CudaLinearEngineTests(CudaFixture fixture) : AcceleratorLinearEngineTests, IClassFixture<CudaFixture>
{
    private protected override IlgpuDevice Device => fixture.Device;
    private protected override DeviceChoice Choice => DeviceChoice.Cuda;
}
#endif

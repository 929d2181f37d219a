using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Kernels.Families;
using Xunit;
using Xunit.Abstractions;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Fits of simulated data recover the parameters they were drawn from, and are reproducible.</summary>
public class SyntheticFitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, 1)]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, 7)]
    [InlineData(FamilyKind.Poisson, LinkKind.Log, 2, 1)]
    [InlineData(FamilyKind.Gamma, LinkKind.Log, 1, 5)]
    public void RecoversSimulationParameters(FamilyKind family, LinkKind link, int q, int nodes)
    {
        var frame = SyntheticFrames.Create(family, link, groups: 400, perGroup: 10, q, correlated: true, seed: 5);
        var fit = Glmm.Fit(frame, new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        output.WriteLine($"iterations {fit.Iterations}, evaluations {fit.FunctionEvaluations}, loglik {fit.LogLik}, {fit.Seconds:F3}s, converged {fit.Converged}");
        foreach (var c in fit.FixedEffects) output.WriteLine($"{c.Name} {c.Estimate} {c.StdError}");
        foreach (var m in fit.Messages) output.WriteLine(m);
        Assert.True(fit.Converged);
        var truth = new[] { 0.3, 0.5, -0.4 };
        for (int i = 0; i < 3; i++)
            Assert.InRange((fit.FixedEffects[i].Estimate - truth[i]) / fit.FixedEffects[i].StdError, -4.0, 4.0);
        foreach (var sd in fit.VarCorr[0].Sd) Assert.InRange(sd, 0.45, 0.95);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void ReportedLogLikAndModesBelongToTheEstimates(int nodes)
    {
        // The fit reuses the optimizer's last evaluation when it was at the optimum: what it reports must be what a
        // fresh evaluation at the reported estimates gives.
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 300, perGroup: 6, 1, correlated: true, seed: 21);
        var fit = Glmm.Fit(frame, new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        double sd = fit.VarCorr[0].Sd[0];
        var psi = fit.FixedEffects.Select(c => c.Estimate).Append(sd).ToArray();
        Assert.Equal(data.Layout.Count, psi.Length);
        double logLik = engine.Evaluate(psi, new double[psi.Length]);
        Assert.True(Math.Abs(logLik - fit.LogLik!.Value) < 1e-8 * Math.Abs(logLik), $"reported {fit.LogLik:R}, evaluated {logLik:R}");
        var modes = fit.Ranef[0].Modes;
        Assert.Equal(engine.Clusters.Length, modes.Length);
        for (int g = 0; g < modes.Length; g++)
            Assert.True(Math.Abs(modes[g][0] - sd * engine.Clusters[g].Mode.X0) < 1e-7, $"group {g}: {modes[g][0]:R} against {sd * engine.Clusters[g].Mode.X0:R}");
    }

    [Fact]
    public void FitIsBitwiseReproducibleWhateverTheThreadCount()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 5000, perGroup: 3, 1, true, seed: 9);
        var one = Glmm.Fit(frame, new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 1 } });
        var two = Glmm.Fit(frame, new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 2 } });
        var again = Glmm.Fit(frame, new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 2 } });
        Assert.Equal(one.LogLik, two.LogLik);
        Assert.Equal(two.LogLik, again.LogLik);
        for (int i = 0; i < one.FixedEffects.Count; i++)
        {
            Assert.Equal(one.FixedEffects[i].Estimate, two.FixedEffects[i].Estimate);
            Assert.Equal(one.FixedEffects[i].StdError, two.FixedEffects[i].StdError);
        }
        Assert.Equal(one.VarCorr[0].Sd[0], two.VarCorr[0].Sd[0]);
    }
}

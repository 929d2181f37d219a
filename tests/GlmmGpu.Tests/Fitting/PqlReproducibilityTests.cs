using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Glm;
using GlmmGpu.Kernels.Families;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Fitting;

/// <summary>PQL and its GLM start add their sums in fixed blocks: the same bits for any number of threads.</summary>
public class PqlReproducibilityTests
{
    [Fact]
    public void PqlIsBitwiseReproducibleWhateverTheThreadCount()
    {
        // 15000 rows: several row blocks and cluster blocks.
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 5000, perGroup: 3, 1, true, seed: 9);
        var one = Glmm.Fit(frame, new FitOptions { Method = FitMethod.Pql, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 1 } });
        var two = Glmm.Fit(frame, new FitOptions { Method = FitMethod.Pql, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 2 } });
        var again = Glmm.Fit(frame, new FitOptions { Method = FitMethod.Pql, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 2 } });
        foreach (var other in new[] { two, again })
        {
            Assert.Equal(one.Iterations, other.Iterations);
            Assert.Equal(one.ResidualSd, other.ResidualSd);
            Assert.Equal(one.VarCorr[0].Sd[0], other.VarCorr[0].Sd[0]);
            for (int i = 0; i < one.FixedEffects.Count; i++)
            {
                Assert.Equal(one.FixedEffects[i].Estimate, other.FixedEffects[i].Estimate);
                Assert.Equal(one.FixedEffects[i].StdError, other.FixedEffects[i].StdError);
            }
            for (int c = 0; c < one.Ranef[0].Modes.Length; c++) Assert.Equal(one.Ranef[0].Modes[c][0], other.Ranef[0].Modes[c][0]);
        }
    }

    [Fact]
    public void GlmStartIsBitwiseReproducibleWhateverTheThreadCount()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 3000, perGroup: 4, 1, true, seed: 3);
        var one = GlmStart.Fit<PoissonLog>(frame, new ExecutionOptions { Threads = 1 }.Parallel);
        var two = GlmStart.Fit<PoissonLog>(frame, new ExecutionOptions { Threads = 2 }.Parallel);
        Assert.Equal(one.Iterations, two.Iterations);
        Assert.Equal(one.Beta, two.Beta);
        Assert.Equal(one.Eta, two.Eta);
        Assert.Equal(one.InverseInformation, two.InverseInformation);
    }
}

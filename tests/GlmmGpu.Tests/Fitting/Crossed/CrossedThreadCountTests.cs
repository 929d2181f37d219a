using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Crossed;

/// <summary>A crossed Laplace fit is the same, bit for bit, on one thread and on several: its row loops sum in fixed
/// chunks, the blocked factor's levels and dense rows are split without changing any sum's order.</summary>
public class CrossedThreadCountTests
{
    [Fact]
    public void LaplaceWithCrossedFactorsIsTheSameAtAnyThreadCount()
    {
        // VerbAgg: 7584 rows, more than one chunk of the row loops.
        var data = CsvLoader.Load(Fixtures.Path("verbagg.csv"));
        FitResult Fit(int threads) => Glmm.Fit(data, new ModelSpec("r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)", FamilyKind.Binomial, LinkKind.Logit),
            new FitOptions { Method = FitMethod.Laplace, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads } });
        var one = Fit(1);
        var several = Fit(3);
        Assert.True(one.Converged);
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.LogLik!.Value), BitConverter.DoubleToInt64Bits(several.LogLik!.Value));
        Assert.Equal(one.FixedEffects.Select(c => c.Estimate), several.FixedEffects.Select(c => c.Estimate));
        Assert.Equal(one.FixedEffects.Select(c => c.StdError), several.FixedEffects.Select(c => c.StdError));
    }
}

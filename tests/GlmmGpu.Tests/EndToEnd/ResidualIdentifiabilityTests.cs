using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>
/// lmer's rule: with a residual scale to estimate, a grouping factor needs fewer levels (and fewer random effects)
/// than observations. One row per group used to be reported as converged with both variances at their start.
/// </summary>
public class ResidualIdentifiabilityTests
{
    /// <summary><paramref name="groups"/> groups of <paramref name="perGroup"/> rows, y and x smooth, counts in c.</summary>
    private static DataTable Data(int groups, int perGroup)
    {
        int n = groups * perGroup;
        var y = new double[n];
        var x = new double[n];
        var c = new double[n];
        var g = new string?[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i / (double)n;
            y[i] = Math.Sin(1.7 * i) + 0.5 * x[i];
            c[i] = i % 5;
            g[i] = "g" + (i / perGroup);
        }
        return DataTable.FromColumns(("y", y), ("x", x), ("c", c), ("g", g));
    }

    private static GlmmException Refused(DataTable data, ModelSpec spec, FitOptions options) =>
        Assert.Throws<GlmmException>(() => Glmm.Fit(data, spec, options with { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } }));

    [Theory]
    [InlineData(FitMethod.Reml)]
    [InlineData(FitMethod.Ml)]
    public void OneRowPerGroupIsRefusedForTheLinearModel(FitMethod method)
    {
        var e = Refused(Data(40, 1), new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian), new FitOptions { Method = method });
        Assert.Contains("grouping factor 'g' has 40 levels for 40 observations", e.Message);
        Assert.Contains("fewer levels than observations", e.Message);
    }

    [Fact]
    public void OneRowPerGroupIsRefusedForTheGaussianFamilyByLaplace()
    {
        var e = Refused(Data(40, 1), new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian), new FitOptions { Method = FitMethod.Laplace });
        Assert.Contains("grouping factor 'g' has 40 levels for 40 observations", e.Message);
    }

    [Fact]
    public void AsManyRandomEffectsAsRowsIsRefusedForTheLinearModel()
    {
        // 20 groups of 2 rows with a random slope: 40 random effects for 40 rows.
        var e = Refused(Data(20, 2), new ModelSpec("y ~ x + (x | g)", FamilyKind.Gaussian), new FitOptions { Method = FitMethod.Reml });
        Assert.Contains("has 40 random effects (20 levels of 'g' times 2) for 40 observations", e.Message);
    }

    [Fact]
    public void PqlWithItsScaleEstimatedIsRefusedAndWithTheScaleFixedFits()
    {
        var data = Data(40, 1);
        var spec = new ModelSpec("c ~ x + (1 | g)", FamilyKind.Poisson);
        var e = Refused(data, spec, new FitOptions { Method = FitMethod.Pql });
        Assert.Contains("grouping factor 'g' has 40 levels for 40 observations", e.Message);
        Assert.Contains("--pql-scale fixed", e.Message);
        // A known scale makes an observation-level random effect a model of overdispersion, as glmer allows.
        var fit = Glmm.Fit(data, spec, new FitOptions { Method = FitMethod.Pql, PqlFixedScale = true, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        Assert.Equal(40, fit.NObs);
    }

    [Fact]
    public void AnObservationLevelEffectStillFitsByLaplace()
    {
        var fit = Glmm.Fit(Data(40, 1), new ModelSpec("c ~ x + (1 | g)", FamilyKind.Poisson), new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        Assert.Equal(40, fit.NObs);
    }

    [Fact]
    public void TwoRowsPerGroupStillFitTheLinearModel()
    {
        var fit = Glmm.Fit(Data(20, 2), new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian), new FitOptions { Method = FitMethod.Reml, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        Assert.Equal(40, fit.NObs);
    }
}

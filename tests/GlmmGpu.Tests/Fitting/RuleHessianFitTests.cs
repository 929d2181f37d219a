using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Tests.Reference;
using Xunit;
using GlmmGpu.Tests.Engines.Cpu;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Whole AGQ fits whose standard errors come from the quadrature rule (binomial-logit random intercepts):
/// against glmer's on the reference data, and against the differenced Hessian at the fit's own estimates.</summary>
public class RuleHessianFitTests
{
    /// <summary>glmer's SEs (its own differenced Hessian) agreed to 2.2e-5 (cbpp) and 1.9e-5 (VerbAgg) when measured.</summary>
    [Theory]
    [InlineData("cbpp_agq25", 25)]
    [InlineData("verbagg_agq9", 9)]
    public void StandardErrorsMatchGlmer(string name, int nodes)
    {
        var reference = new ReferenceCase(name);
        var fit = reference.Fit(FitMethod.Agq, nodes);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        var se = reference.Named("se");
        Assert.NotEmpty(se);
        foreach (var c in fit.FixedEffects)
            Assert.True(Math.Abs(c.StdError / se[c.Name] - 1) < 1e-4, $"SE of {c.Name}: {c.StdError:R}, glmer {se[c.Name]:R}");
    }

    [Theory]
    [InlineData(6, 17)]
    [InlineData(3, 23)]
    public void StandardErrorsMatchTheDifferencedHessianAtTheEstimates(int perGroup, int seed)
    {
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 60, perGroup, 1, true, seed);
        var options = new FitOptions { Method = FitMethod.Agq, NAgq = 7, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };
        var fit = Estimators.Fit(frame, options);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));

        var data = MarginalLikelihoodData.Create(frame, 7);
        using var engine = EngineFactory.Create(data, options.Execution);
        int p = data.Layout.P;
        var psi = fit.FixedEffects.Select(c => c.Estimate).Append(fit.VarCorr[0].Sd[0]).ToArray();
        var h = QuadratureInformationTests.Differenced(engine, psi);
        var inverse = Dense.InverseSpd(h);
        Assert.NotNull(inverse);
        for (int a = 0; a < p; a++)
        {
            double differenced = Math.Sqrt(inverse![a, a]);
            double reported = fit.FixedEffects[a].StdError;
            Assert.True(Math.Abs(reported / differenced - 1) < 1e-4, $"SE of {fit.FixedEffects[a].Name}: {reported:R}, differenced {differenced:R}");
        }
    }
}

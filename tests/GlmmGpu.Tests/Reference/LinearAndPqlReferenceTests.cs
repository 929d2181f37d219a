using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;
using Xunit;
using Xunit.Abstractions;

namespace GlmmGpu.Tests.Reference;

/// <summary>The linear mixed model against lme4's lmer (ML and REML), and PQL against MASS::glmmPQL.</summary>
public class LinearAndPqlReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sleepstudy_ml", FitMethod.Ml)]
    [InlineData("sleepstudy_reml", FitMethod.Reml)]
    public void LinearMixedModelMatchesLmer(string name, FitMethod method)
    {
        var reference = new ReferenceCase(name);
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Gaussian), new FitOptions { Method = method });
        Print(fit);
        Assert.True(fit.Converged);
        AssertRelative(reference.LogLik, fit.LogLik!.Value, 1e-4, "loglik");
        AssertRelative(reference.Sigma!.Value, fit.Dispersion!.Value, 1e-4, "sigma");
        AssertAll(reference, fit, 1e-4);
        var corr = reference.Correlations();
        Assert.True(Math.Abs(fit.VarCorr[0].Corr[0] - corr[0]) < 1e-4 * Math.Max(1, Math.Abs(corr[0])) + 1e-5, $"corr {fit.VarCorr[0].Corr[0]:R} vs {corr[0]:R}");
    }

    [Fact]
    public void MaximumLikelihoodByLaplaceOnGaussianIsTheExactLmmLikelihood()
    {
        // With the identity link the Laplace approximation is exact: the GLMM engine must reproduce lmer's ML fit.
        var reference = new ReferenceCase("sleepstudy_ml");
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Gaussian), new FitOptions { Method = FitMethod.Laplace });
        Assert.True(Math.Abs(fit.LogLik!.Value - reference.LogLik) < 1e-4, $"loglik {fit.LogLik:R} vs {reference.LogLik:R}");
        AssertRelative(reference.Sigma!.Value, fit.Dispersion!.Value, 1e-3, "sigma");
    }

    [Theory]
    [InlineData("cbind(incidence, size - incidence) ~ period + (1 | herd)", null)]
    [InlineData("incidence / size ~ period + (1 | herd)", "size")]
    public void PqlMatchesGlmmPql(string formula, string? weights)
    {
        var reference = new ReferenceCase("cbpp_pql");
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(formula, FamilyKind.Binomial, Weights: weights), new FitOptions { Method = FitMethod.Pql });
        Print(fit);
        Assert.Null(fit.LogLik);
        Assert.Contains(fit.Messages, m => m.Contains("biased", StringComparison.Ordinal));
        AssertAll(reference, fit, 1e-3);
        AssertRelative(reference.Json.GetProperty("residual_sd").GetDouble(), fit.ResidualSd!.Value, 1e-3, "residual SD");
    }

    [Fact]
    public void PqlWithTheScaleFixedAtOneIsBreslowAndClayton()
    {
        var reference = new ReferenceCase("cbpp_pql");
        var estimated = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Binomial), new FitOptions { Method = FitMethod.Pql });
        var fixedScale = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Binomial), new FitOptions { Method = FitMethod.Pql, PqlFixedScale = true });
        Assert.Equal(1.0, fixedScale.ResidualSd);
        Assert.True(fixedScale.Converged);
        // glmmPQL's estimated scale (1.18 here) inflates the SEs relative to the unit-scale fit.
        Assert.True(estimated.FixedEffects[1].StdError > fixedScale.FixedEffects[1].StdError);
        Assert.True(Math.Abs(fixedScale.FixedEffects[1].Estimate - estimated.FixedEffects[1].Estimate) < 0.2);
    }

    private void Print(FitResult fit)
    {
        output.WriteLine($"loglik {fit.LogLik}, iterations {fit.Iterations}, residual {fit.ResidualSd}, dispersion {fit.Dispersion}");
        foreach (var c in fit.FixedEffects) output.WriteLine($"{c.Name} {c.Estimate:R} {c.StdError:R}");
        output.WriteLine($"sd {string.Join(", ", fit.VarCorr[0].Sd)} corr {string.Join(", ", fit.VarCorr[0].Corr)}");
    }

    private static void AssertAll(ReferenceCase reference, FitResult fit, double tol)
    {
        var fixef = reference.Named("fixef");
        var se = reference.Named("se");
        foreach (var c in fit.FixedEffects)
        {
            AssertRelative(fixef[c.Name], c.Estimate, tol, c.Name);
            AssertRelative(se[c.Name], c.StdError, tol, "SE of " + c.Name);
        }
        var sds = reference.Sds();
        var vc = fit.VarCorr[0];
        for (int i = 0; i < vc.TermNames.Length; i++) AssertRelative(sds[vc.TermNames[i]], vc.Sd[i], tol, "SD of " + vc.TermNames[i]);
    }

    private static void AssertRelative(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tol * Math.Abs(expected), $"{what}: {actual:R} vs {expected:R}");
}

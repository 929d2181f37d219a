using System.Text.Json;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;
using Xunit.Abstractions;

namespace GlmmGpu.Tests.Reference;

/// <summary>
/// Several grouping factors (crossed and nested) against lmer, glmer and glmmTMB (Fixtures/README.md; the R script is
/// Fixtures/scripts/crossed_references.R). Linear mixed models to 1e-4 relative, as the single-factor lmer tests;
/// Laplace to the ML tests' tolerances: fixed effects within 0.02 SE (or 2e-3), SEs within 2%, SDs within 1%,
/// correlations within 0.02, and a log-likelihood no more than 1e-3 below the reference's.
/// </summary>
public class CrossedReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("pastes_nested_reml", FitMethod.Reml)]
    [InlineData("penicillin_crossed_reml", FitMethod.Reml)]
    [InlineData("penicillin_crossed_ml", FitMethod.Ml)]
    [InlineData("sim_crossed_slope_reml", FitMethod.Reml)]
    public void LinearMixedModelMatchesLmer(string name, FitMethod method)
    {
        var reference = new ReferenceCase(name);
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Gaussian), new FitOptions { Method = method });
        Report(reference, fit);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.True(Math.Abs(fit.LogLik!.Value - reference.LogLik) < 1e-4 * Math.Abs(reference.LogLik), $"loglik {fit.LogLik:R} vs {reference.LogLik:R}");
        if (method == FitMethod.Reml)
            Assert.True(Math.Abs(fit.RemlCriterion!.Value - reference.Json.GetProperty("REML").GetDouble()) < 1e-3, "REML criterion");
        Assert.True(Math.Abs(fit.Dispersion!.Value / reference.Sigma!.Value - 1) < 1e-4, $"sigma {fit.Dispersion.Value:R} vs {reference.Sigma:R}");
        foreach (var c in fit.FixedEffects)
        {
            Assert.True(Math.Abs(c.Estimate / reference.Named("fixef")[c.Name] - 1) < 1e-4, $"{c.Name} {c.Estimate:R}");
            Assert.True(Math.Abs(c.StdError / reference.Named("se")[c.Name] - 1) < 1e-4, $"SE of {c.Name} {c.StdError:R}");
        }
        AssertVarCorr(reference, fit, sdTolerance: 1e-4, corrTolerance: 1e-4);
    }

    [Theory]
    [InlineData("verbagg_crossed_laplace")]
    [InlineData("sim_crossed_binary_laplace")]
    [InlineData("sim_crossed_binary_tmb")]
    [InlineData("grouseticks_crossed_laplace")]
    [InlineData("grouseticks_crossed_tmb")]
    [InlineData("sim_crossed_slope_poisson_tmb")]
    public void LaplaceMatchesGlmerAndGlmmTmb(string name)
    {
        var reference = new ReferenceCase(name);
        var fit = reference.Fit(FitMethod.Laplace, 1);
        Report(reference, fit);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        var fixef = reference.Named("fixef");
        var se = reference.Named("se");
        Assert.Equal(fixef.Keys, fit.FixedEffects.Select(c => c.Name));
        foreach (var c in fit.FixedEffects)
        {
            double tol = Math.Max(0.02 * se[c.Name], 2e-3);
            Assert.True(Math.Abs(c.Estimate - fixef[c.Name]) <= tol, $"{c.Name}: {c.Estimate:R} vs {fixef[c.Name]:R}");
            Assert.True(Math.Abs(c.StdError / se[c.Name] - 1) <= 0.02, $"SE of {c.Name}: {c.StdError:R} vs {se[c.Name]:R}");
        }
        AssertVarCorr(reference, fit, sdTolerance: 0.01, corrTolerance: 0.02);
        Assert.True(fit.LogLik >= reference.LogLik - 1e-3, $"loglik {fit.LogLik:R} is below the reference {reference.LogLik:R}");
    }

    [Fact]
    public void LaplaceOnAGaussianModelIsTheExactMlFit()
    {
        // With the identity link the Laplace approximation is exact, and its dispersion (sigma) is estimated with the
        // rest: the Laplace path with a dispersion parameter must give lmer's ML fit.
        var reference = new ReferenceCase("penicillin_crossed_ml");
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Gaussian), new FitOptions { Method = FitMethod.Laplace });
        Report(reference, fit);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.True(Math.Abs(fit.LogLik!.Value - reference.LogLik) < 1e-5, $"loglik {fit.LogLik:R} vs {reference.LogLik:R}");
        Assert.True(Math.Abs(fit.Dispersion!.Value / reference.Sigma!.Value - 1) < 1e-4, $"sigma {fit.Dispersion.Value:R}");
        Assert.True(Math.Abs(fit.FixedEffects[0].StdError / reference.Named("se")["(Intercept)"] - 1) < 1e-3, "SE");
        AssertVarCorr(reference, fit, sdTolerance: 1e-4, corrTolerance: 0);
    }

    [Fact]
    public void TooManyEffectsBesideTheLargestFactorAreRefusedNamingThem()
    {
        // 12,500 levels of a crossed with 12,100 of b: b's dense block would be 12,100 square.
        int n = 12_600;
        var a = Enumerable.Range(0, n).Select(i => $"a{i % 12_500}").ToArray();
        var b = Enumerable.Range(0, n).Select(i => $"b{i % 12_100}").ToArray();
        var y = Enumerable.Range(0, n).Select(i => (double)(i % 7)).ToArray();
        var data = GlmmGpu.Data.DataTable.FromColumns(("y", y), ("a", a), ("b", b));
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(data, new ModelSpec("y ~ 1 + (1 | a) + (1 | b)", FamilyKind.Poisson)));
        Assert.Contains("('b' with 12100 levels) have 12100 random effects together, more than the 12000", e.Message);
        Assert.Contains("the largest factor 'a' (12500 levels) stays sparse", e.Message);
    }

    [Fact]
    public void ConditionalModesOfEveryFactorMatchGlmer()
    {
        var reference = new ReferenceCase("verbagg_crossed_laplace");
        var fit = reference.Fit(FitMethod.Laplace, 1);
        // lme4's order: most levels first, and its "groups" line.
        Assert.Equal(new[] { ("id", 316), ("item", 24) }, fit.NGroups.ToArray());
        Assert.Equal(new[] { "id", "item" }, fit.Ranef.Select(r => r.Factor));
        var expected = reference.Json.GetProperty("ranef");
        foreach (var factor in fit.Ranef)
        {
            var levels = expected.GetProperty(factor.Factor);
            int compared = 0;
            foreach (var level in levels.EnumerateObject())
            {
                int at = Array.IndexOf(factor.Levels, level.Name);
                Assert.True(at >= 0, $"level {level.Name} of {factor.Factor}");
                double mode = level.Value.ValueKind == JsonValueKind.Array ? level.Value[0].GetDouble() : level.Value.GetDouble();
                Assert.True(Math.Abs(factor.Modes[at][0] - mode) < 2e-3, $"{factor.Factor} {level.Name}: {factor.Modes[at][0]:R} vs {mode:R}");
                Assert.True(factor.ConditionalSd[at][0] > 0 && factor.ConditionalSd[at][0] < fit.VarCorr.Single(v => v.Factor == factor.Factor).Sd[0]);
                compared++;
            }
            Assert.Equal(factor.Levels.Length, compared);
        }
    }

    /// <summary>Each reference factor's SDs and correlations; lme4 names a nested factor inside out (cask:batch for
    /// batch/cask), so factors are matched by their parts.</summary>
    private static void AssertVarCorr(ReferenceCase reference, FitResult fit, double sdTolerance, double corrTolerance)
    {
        var factors = reference.Json.GetProperty("varcorr").EnumerateObject().ToList();
        Assert.Equal(factors.Count, fit.VarCorr.Count);
        foreach (var factor in factors)
        {
            var vc = fit.VarCorr.Single(v => SameParts(v.Factor, factor.Name));
            foreach (var sd in factor.Value.GetProperty("sd").EnumerateObject())
            {
                double actual = vc.Sd[Array.IndexOf(vc.TermNames, sd.Name)], expected = sd.Value.GetDouble();
                Assert.True(Math.Abs(actual / expected - 1) <= sdTolerance, $"SD of {sd.Name} | {factor.Name}: {actual:R} vs {expected:R}");
            }
            var corr = factor.Value.GetProperty("corr");
            var expectedCorr = corr.ValueKind == JsonValueKind.Array ? corr.EnumerateArray().Select(e => e.GetDouble()).ToArray() : new[] { corr.GetDouble() };
            Assert.Equal(expectedCorr.Length, vc.Corr.Length);
            for (int i = 0; i < expectedCorr.Length; i++)
                Assert.True(Math.Abs(vc.Corr[i] - expectedCorr[i]) <= corrTolerance, $"correlation | {factor.Name}: {vc.Corr[i]:R} vs {expectedCorr[i]:R}");
        }
    }

    private static bool SameParts(string a, string b) =>
        a.Split(':').Order().SequenceEqual(b.Split(':').Order());

    private void Report(ReferenceCase reference, FitResult fit)
    {
        output.WriteLine($"{reference.Name}: loglik {fit.LogLik:R} (reference {reference.LogLik:R}), {fit.Iterations} iterations, {fit.FunctionEvaluations} evaluations, {fit.Seconds:F3} s");
        foreach (var c in fit.FixedEffects) output.WriteLine($"  {c.Name}: {c.Estimate:R} ({c.StdError:R})");
        foreach (var v in fit.VarCorr) output.WriteLine($"  {v.Factor}: sd {string.Join(", ", v.Sd)}; corr {string.Join(", ", v.Corr)}");
        if (fit.Dispersion is { } d) output.WriteLine($"  {d.Name} {d.Value:R}");
        foreach (var m in fit.Messages) output.WriteLine("  " + m);
    }
}

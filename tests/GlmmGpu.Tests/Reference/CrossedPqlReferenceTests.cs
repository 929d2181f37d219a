using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;
using Xunit.Abstractions;

namespace GlmmGpu.Tests.Reference;

/// <summary>
/// PQL with several grouping factors. Nested factors against MASS::glmmPQL (Fixtures/scripts/crossed_pql_references.R)
/// to 1e-3 relative, as the single-factor glmmPQL test (correlations to 2e-3); crossed factors, which glmmPQL does not take, against glmer's
/// Laplace fit loosely (PQL's known shrinkage for binary data), and the exact property that with a Gaussian response
/// and the identity link PQL is the ML linear mixed model.
/// </summary>
public class CrossedPqlReferenceTests(ITestOutputHelper output)
{
    private static readonly FitOptions Pql = new() { Method = FitMethod.Pql, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };

    [Theory]
    [InlineData("grouseticks_nested_pql")]
    [InlineData("sim_nested_binary_pql")]
    [InlineData("sim_nested_slope_poisson_pql")]
    public void NestedPqlMatchesGlmmPql(string name)
    {
        var reference = new ReferenceCase(name);
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, reference.Family, reference.Link), Pql);
        Report(fit);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.Equal(FitMethod.Pql, fit.Method);
        Assert.Null(fit.LogLik);
        Assert.Contains(fit.Messages, m => m.Contains("biased", StringComparison.Ordinal));
        var fixef = reference.Named("fixef");
        var se = reference.Named("se");
        Assert.Equal(fixef.Keys, fit.FixedEffects.Select(c => c.Name));
        foreach (var c in fit.FixedEffects)
        {
            AssertRelative(fixef[c.Name], c.Estimate, 1e-3, c.Name);
            AssertRelative(se[c.Name], c.StdError, 1e-3, "SE of " + c.Name);
        }
        var factors = reference.Json.GetProperty("varcorr").EnumerateObject().ToList();
        Assert.Equal(factors.Count, fit.VarCorr.Count);
        foreach (var factor in factors)
        {
            // lme4 and these references name a nested factor inside out (BROOD:LOCATION for LOCATION/BROOD).
            var vc = fit.VarCorr.Single(v => v.Factor.Split(':').Order().SequenceEqual(factor.Name.Split(':').Order()));
            foreach (var sd in factor.Value.GetProperty("sd").EnumerateObject())
                AssertRelative(sd.Value.GetDouble(), vc.Sd[Array.IndexOf(vc.TermNames, sd.Name)], 1e-3, $"SD of {sd.Name} | {factor.Name}");
            var corr = factor.Value.GetProperty("corr");
            if (corr.ValueKind == System.Text.Json.JsonValueKind.Number)
                Assert.True(Math.Abs(vc.Corr[0] - corr.GetDouble()) < 2e-3, $"correlation | {factor.Name}: {vc.Corr[0]:R} vs {corr.GetDouble():R}");
            else Assert.Empty(vc.Corr);
        }
        AssertRelative(reference.Json.GetProperty("residual_sd").GetDouble(), fit.ResidualSd!.Value, 1e-3, "residual SD");
        Assert.Equal(fit.VarCorr.Select(v => v.Factor), fit.Ranef.Select(r => r.Factor));
        Assert.All(fit.Ranef, r => Assert.All(r.ConditionalSd, sd => Assert.All(sd, v => Assert.True(v > 0 && double.IsFinite(v)))));
    }

    [Fact]
    public void CrossedBinaryPqlIsNearGlmerAndShrunkTowardZero()
    {
        // No glmmPQL reference for crossed factors: glmer's Laplace fit (which ours matches in CrossedReferenceTests).
        // PQL's bias for binary data shrinks the fixed effects and the SDs toward zero, by a few per cent here.
        var reference = new ReferenceCase("sim_crossed_binary_laplace");
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Binomial), Pql);
        Report(fit);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        var fixef = reference.Named("fixef");
        var se = reference.Named("se");
        foreach (var c in fit.FixedEffects)
        {
            Assert.True(Math.Abs(c.Estimate - fixef[c.Name]) < se[c.Name], $"{c.Name}: {c.Estimate:R} vs Laplace {fixef[c.Name]:R}");
            Assert.True(Math.Abs(c.Estimate) < Math.Abs(fixef[c.Name]), $"{c.Name} is not shrunk: {c.Estimate:R} vs {fixef[c.Name]:R}");
            Assert.InRange(c.StdError / se[c.Name], 0.9, 1.1);
        }
        foreach (var factor in reference.Json.GetProperty("varcorr").EnumerateObject())
        {
            double laplace = factor.Value.GetProperty("sd").GetProperty("(Intercept)").GetDouble();
            double sd = fit.VarCorr.Single(v => v.Factor == factor.Name).Sd[0];
            Assert.InRange(sd, 0.9 * laplace, laplace);
        }
        Assert.InRange(fit.ResidualSd!.Value, 0.9, 1.05);
    }

    [Fact]
    public void GaussianIdentityPqlIsTheMlLinearMixedModel()
    {
        // The working response is y and the working weights the prior weights: the first inner fit is lmer's ML fit,
        // and the second finds eta where it was.
        var reference = new ReferenceCase("penicillin_crossed_ml");
        var fit = Glmm.Fit(reference.Data(), new ModelSpec(reference.Formula, FamilyKind.Gaussian), Pql);
        Report(fit);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.Equal(2, fit.Iterations);
        AssertRelative(reference.Sigma!.Value, fit.ResidualSd!.Value, 1e-4, "residual SD");
        foreach (var c in fit.FixedEffects)
        {
            AssertRelative(reference.Named("fixef")[c.Name], c.Estimate, 1e-6, c.Name);
            AssertRelative(reference.Named("se")[c.Name], c.StdError, 1e-4, "SE of " + c.Name);
        }
        foreach (var factor in reference.Json.GetProperty("varcorr").EnumerateObject())
            AssertRelative(factor.Value.GetProperty("sd").GetProperty("(Intercept)").GetDouble(),
                fit.VarCorr.Single(v => v.Factor == factor.Name).Sd[0], 1e-4, "SD of " + factor.Name);
    }

    [Fact]
    public void TheScaleFixedAtOneIsBreslowAndClayton()
    {
        var reference = new ReferenceCase("sim_nested_binary_pql");
        var spec = new ModelSpec(reference.Formula, FamilyKind.Binomial);
        var estimated = Glmm.Fit(reference.Data(), spec, Pql);
        var fixedScale = Glmm.Fit(reference.Data(), spec, new FitOptions { Method = FitMethod.Pql, PqlFixedScale = true });
        Assert.True(fixedScale.Converged, string.Join("; ", fixedScale.Messages));
        Assert.Equal(1.0, fixedScale.ResidualSd);
        Assert.Equal(estimated.ParameterCount - 1, fixedScale.ParameterCount);
        // glmmPQL's scale is 0.957 here: held at 1, the SEs grow by about 1 / 0.957.
        double ratio = fixedScale.FixedEffects[1].StdError / estimated.FixedEffects[1].StdError;
        Assert.InRange(ratio, 1.0, 1.1);
        Assert.True(Math.Abs(fixedScale.FixedEffects[1].Estimate - estimated.FixedEffects[1].Estimate) < 0.05);
    }

    [Fact]
    public void AnObservationLevelFactorWithAnEstimatedScaleIsRefusedNamingTheRemedy()
    {
        // grouseticks' INDEX has one row per level: its variance and PQL's residual scale cannot both be estimated.
        var reference = new ReferenceCase("grouseticks_nested_pql");
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(reference.Data(),
            new ModelSpec("TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | LOCATION)", FamilyKind.Poisson), Pql));
        output.WriteLine(e.Message);
        Assert.Contains("INDEX", e.Message);
        Assert.Contains("--pql-scale fixed", e.Message);
        var fixedScale = Glmm.Fit(reference.Data(), new ModelSpec("TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | LOCATION)", FamilyKind.Poisson),
            new FitOptions { Method = FitMethod.Pql, PqlFixedScale = true });
        Assert.Equal(new[] { ("INDEX", 403), ("LOCATION", 63) }, fixedScale.NGroups.ToArray());
        Assert.All(fixedScale.VarCorr, v => Assert.True(v.Sd[0] > 0.1, $"{v.Factor} {v.Sd[0]}"));
    }

    private void Report(FitResult fit)
    {
        output.WriteLine($"iterations {fit.Iterations}, residual SD {fit.ResidualSd:R}, converged {fit.Converged}");
        foreach (var c in fit.FixedEffects) output.WriteLine($"  {c.Name}: {c.Estimate:R} ({c.StdError:R})");
        foreach (var v in fit.VarCorr) output.WriteLine($"  {v.Factor}: sd {string.Join(", ", v.Sd)}");
        foreach (var m in fit.Messages) output.WriteLine("  " + m);
    }

    private static void AssertRelative(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tol * Math.Abs(expected), $"{what}: {actual:R} vs {expected:R}");
}

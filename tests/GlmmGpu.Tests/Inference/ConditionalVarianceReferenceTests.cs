using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;
using Xunit;
using Xunit.Abstractions;

namespace GlmmGpu.Tests.Inference;

/// <summary>
/// Conditional modes and their covariances (lme4's <c>ranef(condVar = TRUE)</c>, "postVar") against lme4 on the
/// fits of Fixtures/inference/condvar_lme4.json (made by Fixtures/scripts/condvar.R), one grouping factor and two crossed,
/// in the result and in the fit's JSON.
/// </summary>
public class ConditionalVarianceReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cbpp_laplace", "cbpp.csv", "cbind(incidence, size - incidence) ~ period + (1 | herd)", FamilyKind.Binomial, FitMethod.Laplace)]
    [InlineData("sleepstudy_reml", "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", FamilyKind.Gaussian, FitMethod.Reml)]
    [InlineData("sleepstudy_ml", "sleepstudy.csv", "Reaction ~ Days + (Days | Subject)", FamilyKind.Gaussian, FitMethod.Ml)]
    [InlineData("sim_poisson_slope_laplace", "sim_poisson_slope.csv", "y ~ x + (1 + x | g)", FamilyKind.Poisson, FitMethod.Laplace)]
    [InlineData("penicillin_crossed_reml", "penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", FamilyKind.Gaussian, FitMethod.Reml)]
    [InlineData("verbagg_crossed_laplace", "verbagg.csv", "r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)", FamilyKind.Binomial, FitMethod.Laplace)]
    public void ConditionalCovariancesAgreeWithLme4(string name, string dataFile, string formula, FamilyKind family, FitMethod method)
    {
        var reference = Fixtures.Json("inference/condvar_lme4.json").GetProperty(name);
        var fit = Glmm.Fit(CsvLoader.Load(Fixtures.Path(dataFile)), new ModelSpec(formula, family), new FitOptions { Method = method });
        Assert.True(fit.Converged);
        double worstMode = 0, worstVariance = 0;
        var factors = reference.GetProperty("ranef").EnumerateObject().ToArray();
        Assert.Equal(factors.Length, fit.Ranef.Count);
        foreach (var factor in factors)
        {
            var ranef = fit.Ranef.Single(r => r.Factor == factor.Name);
            int q = ranef.TermNames.Length;
            Assert.Equal(factor.Value.GetProperty("terms").EnumerateArray().Select(t => t.GetString()), ranef.TermNames);
            Assert.NotNull(ranef.ConditionalCovariance);
            var condvar = factor.Value.GetProperty("condvar");
            var modes = factor.Value.GetProperty("modes");
            for (int g = 0; g < ranef.Levels.Length; g++)
            {
                var level = ranef.Levels[g];
                var expectedModes = modes.GetProperty(level).EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var expected = condvar.GetProperty(level).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                for (int d = 0; d < q; d++)
                {
                    double modeScale = Math.Sqrt(expected[d][d]);
                    worstMode = Math.Max(worstMode, Math.Abs(ranef.Modes[g][d] - expectedModes[d]) / modeScale);
                    Assert.Equal(Math.Sqrt(ranef.ConditionalCovariance![g][d * q + d]), ranef.ConditionalSd[g][d], 12);
                    for (int e = 0; e < q; e++)
                    {
                        // Relative to the diagonal, so that near-zero covariances are held to the variances' accuracy.
                        double scale = Math.Sqrt(expected[d][d] * expected[e][e]);
                        worstVariance = Math.Max(worstVariance, Math.Abs(ranef.ConditionalCovariance![g][d * q + e] - expected[d][e]) / scale);
                    }
                }
            }
        }
        output.WriteLine($"{name}: largest mode difference {worstMode:G3} conditional SDs, largest covariance difference {worstVariance:G3} (relative)");
        Assert.True(worstMode < 2e-3, $"modes differ from lme4's by up to {worstMode:G3} conditional SDs");
        Assert.True(worstVariance < 2e-3, $"conditional covariances differ from lme4's by up to {worstVariance:G3}");
    }

    [Fact]
    public void TheFitsJsonHoldsEachLevelsConditionalCovariance()
    {
        var fit = Glmm.Fit(CsvLoader.Load(Fixtures.Path("sleepstudy.csv")), new ModelSpec("Reaction ~ Days + (Days | Subject)", FamilyKind.Gaussian), new FitOptions { Method = FitMethod.Ml });
        var json = JsonDocument.Parse(FitResultJson.ToJson(fit)).RootElement;
        var subject = json.GetProperty("condvar").GetProperty("Subject");
        var ranef = fit.Ranef[0];
        Assert.Equal(ranef.Levels, subject.EnumerateObject().Select(p => p.Name));
        for (int g = 0; g < ranef.Levels.Length; g++)
        {
            var rows = subject.GetProperty(ranef.Levels[g]).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            Assert.Equal(2, rows.Length);
            Assert.Equal(ranef.ConditionalCovariance![g], rows.SelectMany(r => r).ToArray());
            Assert.Equal(rows[0][1], rows[1][0]);
        }
    }
}

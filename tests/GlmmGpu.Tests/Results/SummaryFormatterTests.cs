using GlmmGpu.Results;
using Xunit;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Tests.Results;

public class SummaryFormatterTests
{
    private static string[] Lines(string text) => text.Split('\n');

    [Fact]
    public void CbppLaplaceReadsLikeLme4()
    {
        var text = SummaryFormatter.Format(SampleFits.CbppLaplace(), "cbpp.csv");
        // lme4 1.1.31's summary of the same fit, trailing blanks removed; the variance is 0.6421^2 = 0.4122
        // (older lme4 printed 0.4123 from a slightly different optimum).
        var expected = string.Join("\n", new[]
        {
            "Generalized linear mixed model fit by maximum likelihood (Laplace Approximation) [glmerMod]",
            " Family: binomial  ( logit )",
            "Formula: cbind(incidence, size - incidence) ~ period + (1 | herd)",
            "   Data: cbpp.csv",
            " Device: cpu",
            "",
            "     AIC      BIC   logLik deviance df.resid",
            "   194.1    204.2    -92.0    184.1       51",
            "",
            "Scaled residuals:",
            "    Min      1Q  Median      3Q     Max",
            "-2.3816 -0.7889 -0.2026  0.5142  2.8791",
            "",
            "Random effects:",
            " Groups Name        Variance Std.Dev.",
            " herd   (Intercept) 0.4122   0.6421",
            "Number of obs: 56, groups:  herd, 15",
            "",
            "Fixed effects:",
            "            Estimate Std. Error z value Pr(>|z|)",
            "(Intercept)  -1.3983     0.2312  -6.048 1.47e-09 ***",
            "period2      -0.9919     0.3032  -3.272 0.001068 **",
            "period3      -1.1282     0.3228  -3.495 0.000474 ***",
            "period4      -1.5798     0.4220  -3.743 0.000182 ***",
            "---",
            "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
            "",
            "Correlation of Fixed Effects:",
            "        (Intr) perid2 perid3",
            "period2 -0.363",
            "period3 -0.340  0.280",
            "period4 -0.260  0.213  0.198",
            "",
        });
        Assert.StartsWith(expected, text);
    }

    [Fact]
    public void TailHasOptimizerLineAndMessages()
    {
        var r = SampleFits.CbppLaplace();
        var withMessages = new FitResult
        {
            Formula = r.Formula, Family = r.Family, Link = r.Link, Method = r.Method, NAgq = r.NAgq,
            Record = SampleFits.Record(r.Method, 500, 1200, 1.5),
            NObs = r.NObs, NGroups = r.NGroups, FixedEffects = r.FixedEffects, FixedEffectsCovariance = r.FixedEffectsCovariance,
            VarCorr = r.VarCorr, LogLik = r.LogLik, ParameterCount = r.ParameterCount, Converged = false, Singular = true, Ranef = r.Ranef,
            Messages = new[] { "fixed-effect model matrix is rank deficient so dropping 1 column: period5" },
        };
        var lines = Lines(SummaryFormatter.Format(withMessages));
        Assert.Contains("Optimizer did not converge: stopped after 500 iterations (1200 function evaluations, 1.5 s).", lines);
        Assert.Contains("fixed-effect model matrix is rank deficient so dropping 1 column: period5", lines);
        Assert.Contains("boundary (singular) fit: see help('isSingular')", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("   Data:"));
        Assert.DoesNotContain("Scaled residuals:", lines);

        var converged = Lines(SummaryFormatter.Format(r));
        Assert.Contains("Optimizer converged in 23 iterations (57 function evaluations, 0.065 s).", converged);
        Assert.DoesNotContain(converged, l => l.Contains("singular"));
    }

    [Fact]
    public void AgqHeaderNamesTheNodes()
    {
        var r = SampleFits.CbppLaplace();
        var agq = Clone(r, method: FitMethod.Agq, nagq: 25);
        Assert.Equal("Generalized linear mixed model fit by maximum likelihood (Adaptive Gauss-Hermite Quadrature, nAGQ = 25) [glmerMod]",
            Lines(SummaryFormatter.Format(agq))[0]);
    }

    [Fact]
    public void PqlSaysItHasNoLikelihoodAndShowsResidualSd()
    {
        var text = SummaryFormatter.Format(SampleFits.CbppPql());
        var lines = Lines(text);
        Assert.Equal("Generalized linear mixed model fit by penalized quasi-likelihood (glmmPQL)", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains("AIC") && l.Contains("BIC") && l.Contains("logLik") && l.Contains("df.resid"));
        Assert.Contains("no logLik, AIC, BIC", text);
        Assert.Contains("approximate", text);
        Assert.Contains("biased", text);
        Assert.Contains("binary data and small counts", text.Replace("\n", " "));
        // glmmPQL's residual scale as a Residual row: 1.1845^2 = 1.4031.
        Assert.Contains(" Residual             1.4031   1.1845", lines);
        Assert.Contains(" herd     (Intercept) 0.3095   0.5564", lines);
    }

    [Fact]
    public void RemlShowsCriterionCorrelationResidualAndTValuesWithoutP()
    {
        var text = SummaryFormatter.Format(SampleFits.SleepstudyReml(), "sleepstudy");
        var lines = Lines(text);
        Assert.Equal("Linear mixed model fit by REML [lmerMod]", lines[0]);
        Assert.Contains("REML criterion at convergence: 1743.6", lines);
        // lme4 prints exactly these rows for sleepstudy.
        Assert.Contains(" Groups   Name        Variance Std.Dev. Corr", lines);
        Assert.Contains(" Subject  (Intercept) 612.10   24.741", lines);
        Assert.Contains("          Days         35.07    5.922   0.07", lines);
        Assert.Contains(" Residual             654.94   25.592", lines);
        Assert.Contains("Number of obs: 180, groups:  Subject, 18", lines);
        Assert.Contains("            Estimate Std. Error t value", lines);
        Assert.Contains("(Intercept)  251.405      6.825  36.838", lines);
        Assert.Contains("Days          10.467      1.546   6.771", lines);
        Assert.DoesNotContain("Pr(>|", text);
        Assert.DoesNotContain("Signif. codes", text);
        Assert.Contains("Dispersion parameter for gaussian family (sigma): 25.59", lines);
    }

    [Fact]
    public void ScaledFamiliesUseTValueWithPValues()
    {
        var r = Clone(SampleFits.CbppLaplace(), family: FamilyKind.Gamma, link: LinkKind.Log);
        var lines = Lines(SummaryFormatter.Format(r));
        Assert.Contains("            Estimate Std. Error t value Pr(>|z|)", lines);
    }

    [Fact]
    public void ManyCoefficientsSkipTheCorrelationMatrix()
    {
        var coefs = Enumerable.Range(0, 11).Select(i => SampleFits.Coef(i == 0 ? "(Intercept)" : $"x{i}", 0.1 * i, 0.05)).ToArray();
        var cov = new double[11, 11];
        for (int i = 0; i < 11; i++) cov[i, i] = 0.0025;
        var r = Clone(SampleFits.CbppLaplace(), coefs: coefs, cov: cov);
        var text = SummaryFormatter.Format(r);
        Assert.DoesNotContain("Correlation of Fixed Effects:", text);
        Assert.Contains("Correlation of fixed effects not shown, as p = 11 > 10.", text);
    }

    [Fact]
    public void TinyPValuesAndMixedStars()
    {
        var coefs = new[]
        {
            new Coefficient("(Intercept)", 5.2, 0.1, 52, 0),
            new Coefficient("x", 0.2, 0.1, 2, 0.0455),
            new Coefficient("z", 0.05, 0.1, 0.5, 0.617),
        };
        var r = Clone(SampleFits.CbppLaplace(), coefs: coefs, cov: SampleFits.Covariance(new[] { 0.1, 0.1, 0.1 }, new[] { 0.1, 0.2, 0.3 }));
        var lines = Lines(SummaryFormatter.Format(r));
        // As R's printCoefmat(digits = 4) writes them.
        Assert.Contains("(Intercept)     5.20       0.10    52.0   <2e-16 ***", lines);
        Assert.Contains("x               0.20       0.10     2.0   0.0455 *", lines);
        Assert.Contains("z               0.05       0.10     0.5   0.6170", lines);
    }

    [Fact]
    public void UncorrelatedTermsOnOneFactorGetDistinctGroupNames()
    {
        var r = Clone(SampleFits.SleepstudyReml(), varCorr: new[]
        {
            new VarianceComponent("Subject", new[] { "(Intercept)" }, new[] { 24.0 }, Array.Empty<double>(), 18),
            new VarianceComponent("Subject", new[] { "Days" }, new[] { 5.9 }, Array.Empty<double>(), 18),
        });
        var lines = Lines(SummaryFormatter.Format(r));
        Assert.Contains(lines, l => l.StartsWith(" Subject   (Intercept)"));
        Assert.Contains(lines, l => l.StartsWith(" Subject.1 Days"));
        Assert.Contains(" Groups    Name        Variance Std.Dev.", lines);
    }

    [Fact]
    public void ThreeByThreeCorrelationsFillTheLowerTriangle()
    {
        var r = Clone(SampleFits.SleepstudyReml(), varCorr: new[]
        {
            new VarianceComponent("g", new[] { "(Intercept)", "x1", "x2" }, new[] { 0.5, 0.4, 0.3 }, new[] { -0.5, 0.3, 0.2 }, 10),
        });
        var lines = Lines(SummaryFormatter.Format(r));
        Assert.Contains(" Groups   Name        Variance Std.Dev. Corr", lines);
        Assert.Contains(" g        (Intercept)   0.25    0.50", lines);
        Assert.Contains("          x1            0.16    0.40    -0.50", lines);
        Assert.Contains("          x2            0.09    0.30     0.30  0.20", lines);
    }

    [Fact]
    public void NoLineEndsInBlanks()
    {
        foreach (var r in new[] { SampleFits.CbppLaplace(), SampleFits.CbppPql(), SampleFits.SleepstudyReml() })
            Assert.All(Lines(SummaryFormatter.Format(r)), l => Assert.Equal(l.TrimEnd(), l));
    }

    internal static FitResult Clone(FitResult r, FitMethod? method = null, int? nagq = null, FamilyKind? family = null, LinkKind? link = null,
        Coefficient[]? coefs = null, double[,]? cov = null, VarianceComponent[]? varCorr = null) => new()
    {
        Formula = r.Formula,
        Family = family ?? r.Family,
        Link = link ?? r.Link,
        Method = method ?? r.Method,
        NAgq = nagq ?? r.NAgq,
        Record = r.Record,
        NObs = r.NObs,
        NGroups = r.NGroups,
        FixedEffects = coefs ?? r.FixedEffects,
        FixedEffectsCovariance = cov ?? r.FixedEffectsCovariance,
        VarCorr = varCorr ?? r.VarCorr,
        Dispersion = r.Dispersion,
        LogLik = r.LogLik,
        RemlCriterion = r.RemlCriterion,
        ResidualSd = r.ResidualSd,
        ParameterCount = r.ParameterCount,
        Converged = r.Converged,
        Singular = r.Singular,
        Ranef = r.Ranef,
        ScaledResiduals = r.ScaledResiduals,
        Messages = r.Messages,
    };
}

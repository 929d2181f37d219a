using GlmmGpu.Fitting.Bayes;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

public class PriorParserTests
{
    [Theory]
    [InlineData("fixef ~ normal(0, 10)", PriorTargetKind.Fixef, null, null, PriorKind.Normal, new[] { 0.0, 10 })]
    [InlineData("Intercept ~ normal(0, 10)", PriorTargetKind.Coefficient, null, "(Intercept)", PriorKind.Normal, new[] { 0.0, 10 })]
    [InlineData("period2 ~ student_t(3, 0, 2.5)", PriorTargetKind.Coefficient, null, "period2", PriorKind.StudentT, new[] { 3.0, 0, 2.5 })]
    [InlineData("x ~ cauchy(1, 2)", PriorTargetKind.Coefficient, null, "x", PriorKind.Cauchy, new[] { 1.0, 2 })]
    [InlineData("sd ~ exponential(1)", PriorTargetKind.Sd, null, null, PriorKind.Exponential, new[] { 1.0 })]
    [InlineData("sd(herd) ~ half_normal(0, 1)", PriorTargetKind.FactorSd, "herd", null, PriorKind.HalfNormal, new[] { 1.0 })]
    [InlineData("sd(herd) ~ half_normal(2)", PriorTargetKind.FactorSd, "herd", null, PriorKind.HalfNormal, new[] { 2.0 })]
    [InlineData("sd(g, x) ~ half_cauchy(0, 1)", PriorTargetKind.TermSd, "g", "x", PriorKind.HalfCauchy, new[] { 1.0 })]
    [InlineData("sd(g, Intercept) ~ half_t(3, 0, 2)", PriorTargetKind.TermSd, "g", "(Intercept)", PriorKind.HalfStudentT, new[] { 3.0, 2 })]
    [InlineData("sd ~ gamma(2, 0.5)", PriorTargetKind.Sd, null, null, PriorKind.Gamma, new[] { 2.0, 0.5 })]
    [InlineData("corr ~ lkj(2)", PriorTargetKind.Corr, null, null, PriorKind.Lkj, new[] { 2.0 })]
    [InlineData("corr(g) ~ lkj(1.5)", PriorTargetKind.FactorCorr, "g", null, PriorKind.Lkj, new[] { 1.5 })]
    [InlineData("dispersion ~ exponential(0.5)", PriorTargetKind.Dispersion, null, null, PriorKind.Exponential, new[] { 0.5 })]
    public void ParsesTargetsAndDistributions(string text, PriorTargetKind kind, string? factor, string? name, PriorKind prior, double[] parameters)
    {
        var s = PriorParser.Parse(text);
        Assert.Equal(kind, s.Target.Kind);
        Assert.Equal(factor, s.Target.Factor);
        Assert.Equal(name, s.Target.Name);
        Assert.Equal(prior, s.Prior.Kind);
        Assert.Equal(parameters, s.Prior.Parameters);
    }

    [Theory]
    [InlineData("fixef normal(0, 10)", "TARGET ~ DISTRIBUTION")]
    [InlineData("fixef ~ norml(0, 10)", "unknown distribution 'norml'")]
    [InlineData("fixef ~ normal(0)", "normal takes 2 parameters, not 1")]
    [InlineData("fixef ~ normal(0, -1)", "normal's scale must be positive")]
    [InlineData("fixef ~ normal(0, abc)", "parameter 2 of normal, 'abc'")]
    [InlineData("fixef ~ exponential(1)", "exponential does not go with fixef")]
    [InlineData("sd ~ normal(0, 1)", "normal does not go with sd")]
    [InlineData("corr ~ normal(0, 1)", "normal does not go with corr")]
    [InlineData("sd(herd) ~ half_normal(1, 1)", "half_normal's location must be 0")]
    [InlineData("sd(g, x, y) ~ exponential(1)", "'sd(g, x, y)' has 3 names")]
    [InlineData("sd(herd ~ exponential(1)", "lacks its closing parenthesis")]
    [InlineData(" ~ exponential(1)", "the target before '~' is missing")]
    [InlineData("sd ~ gamma(2, 0)", "gamma's rate must be positive")]
    [InlineData("corr ~ lkj(0)", "lkj's shape eta must be positive")]
    public void BadStatementsNameTheirFault(string text, string expected)
    {
        var e = Assert.Throws<GlmmException>(() => PriorParser.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void TheMostSpecificStatementWinsAndDefaultsFillTheRest()
    {
        var statements = new[] { "sd(g, x) ~ half_cauchy(0, 2)", "fixef ~ normal(0, 5)", "x ~ student_t(3, 0, 1)", "sd ~ exponential(2)" }
            .Select(PriorParser.Parse).ToList();
        var set = PriorSet.Resolve(statements, ["(Intercept)", "x", "z"], "g", ["(Intercept)", "x"], correlated: true, dispersionName: "sigma", responseScale: 2);
        Assert.Equal("normal(0, 20)", set.Coefficients[0].ToString());
        Assert.Equal("student_t(3, 0, 1)", set.Coefficients[1].ToString());
        Assert.Equal("normal(0, 5)", set.Coefficients[2].ToString());
        Assert.Equal("exponential(2)", set.Sds[0].ToString());
        Assert.Equal("half_cauchy(2)", set.Sds[1].ToString());
        Assert.Equal("lkj(1)", set.Correlation!.ToString());
        Assert.Equal("exponential(0.5)", set.Dispersion!.ToString());
        Assert.Contains("(Intercept) ~ normal(0, 20) (default)", set.Description);
        Assert.Contains("x ~ student_t(3, 0, 1)", set.Description);
    }

    [Theory]
    [InlineData("period9 ~ normal(0, 1)", "no fixed effect 'period9'")]
    [InlineData("sd(farm) ~ exponential(1)", "no grouping factor 'farm'")]
    [InlineData("sd(herd, x) ~ exponential(1)", "no term 'x'")]
    [InlineData("corr ~ lkj(2)", "no correlated random effects")]
    [InlineData("dispersion ~ exponential(1)", "no dispersion parameter")]
    public void UnknownNamesAreErrors(string text, string expected)
    {
        var e = Assert.Throws<GlmmException>(() =>
            PriorSet.Resolve([PriorParser.Parse(text)], ["(Intercept)", "period2"], "herd", ["(Intercept)"], correlated: false, dispersionName: null, responseScale: 1));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void LogDensitiesAndDerivativesMatchTheirFormulas()
    {
        // Differences of log densities (constants cancel) against the textbook densities.
        static void Check(Prior prior, Func<double, double> logDensity, double a, double b)
        {
            double expected = logDensity(a) - logDensity(b);
            Assert.Equal(expected, prior.LogDensity(a, out double da) - prior.LogDensity(b, out _), 12);
            double h = 1e-6;
            Assert.Equal((logDensity(a + h) - logDensity(a - h)) / (2 * h), da, 6);
        }
        Check(Prior.Normal(1, 2), x => -0.5 * Math.Pow((x - 1) / 2, 2), 0.3, 2.5);
        Check(new Prior(PriorKind.StudentT, [3, 1, 2]), x => -2 * Math.Log(1 + Math.Pow((x - 1) / 2, 2) / 3), 0.3, 4.5);
        Check(new Prior(PriorKind.Cauchy, [0, 2]), x => -Math.Log(1 + x * x / 4), 0.3, -4.5);
        Check(new Prior(PriorKind.HalfNormal, [2]), x => -x * x / 8, 0.3, 2.5);
        Check(new Prior(PriorKind.HalfStudentT, [4, 2]), x => -2.5 * Math.Log(1 + x * x / 16), 0.3, 2.5);
        Check(new Prior(PriorKind.HalfCauchy, [1.5]), x => -Math.Log(1 + x * x / 2.25), 0.3, 2.5);
        Check(Prior.Exponential(2), x => -2 * x, 0.3, 2.5);
        Check(new Prior(PriorKind.Gamma, [2.5, 3]), x => 1.5 * Math.Log(x) - 3 * x, 0.3, 2.5);
    }
}

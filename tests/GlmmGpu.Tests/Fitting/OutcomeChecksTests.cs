using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>
/// Responses no model can be fitted to as they stand: an outcome with no variation is refused before fitting, and a
/// separation of the response by the fixed effects is named, never reported as converged. Before these checks an
/// all-zero response "converged" with its variance at its start (1) and an intercept SE of 2.7e10, an all-one
/// binomial response was blamed on a singular design matrix, and a factor level with no events "converged" with an
/// estimate of -53 and an SE of 4e10.
/// </summary>
public class OutcomeChecksTests
{
    public static TheoryData<FitMethod> LikelihoodAndPql => new() { FitMethod.Laplace, FitMethod.Agq, FitMethod.Pql };

    [Theory]
    [MemberData(nameof(LikelihoodAndPql))]
    public void AnOutcomeWithNoVariationIsRefusedNamingTheResponse(FitMethod method)
    {
        var options = new FitOptions { Method = method };
        AssertRefused(Binary(_ => 0.0), "y ~ x + (1 | g)", FamilyKind.Binomial, options,
            "the response 'y' is 0 in every row: a binomial model cannot be fitted to an outcome with no variation");
        AssertRefused(Binary(_ => 1.0), "y ~ x + (1 | g)", FamilyKind.Binomial, options,
            "the response 'y' is 1 in every row: a binomial model cannot be fitted to an outcome with no variation");
        AssertRefused(Binary(_ => 0.0), "y ~ x + (1 | g)", FamilyKind.Poisson, options,
            "the response 'y' is 0 in every row: a poisson model cannot be fitted to an outcome with no variation");
        var counts = Binary(_ => 0.0);
        var trials = Enumerable.Repeat(3.0, counts.RowCount).ToArray();
        var cbind = DataTable.FromColumns(("s", trials.Select(_ => 0.0).ToArray()), ("f", trials), ("x", Column(counts, "x")), ("g", Groups(counts)));
        AssertRefused(cbind, "cbind(s, f) ~ x + (1 | g)", FamilyKind.Binomial, options,
            "the response 'cbind(s, f)' has no successes in any row: a binomial model cannot be fitted to an outcome with no variation");
        AssertRefused(cbind, "cbind(f, s) ~ x + (1 | g)", FamilyKind.Binomial, options,
            "the response 'cbind(f, s)' has no failures in any row: a binomial model cannot be fitted to an outcome with no variation");
    }

    [Theory]
    [InlineData(FitMethod.Reml, LinkKind.Identity)]
    [InlineData(FitMethod.Ml, LinkKind.Identity)]
    [InlineData(FitMethod.Laplace, LinkKind.Log)]
    public void AConstantGaussianResponseIsRefused(FitMethod method, LinkKind link)
    {
        var data = Binary(_ => 3.0);
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian, link), new FitOptions { Method = method }));
        Assert.Equal("the response 'y' is 3 in every row: a gaussian model cannot be fitted to an outcome with no variation", e.Message);
    }

    [Fact]
    public void ConstantNonZeroCountsAreAnOrdinaryPoissonFit()
    {
        var fit = Glmm.Fit(Binary(_ => 1.0), new ModelSpec("y ~ x + (1 | g)", FamilyKind.Poisson), new FitOptions { Method = FitMethod.Laplace });
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.InRange(fit.FixedEffects[0].Estimate, -1e-3, 1e-3);
        Assert.True(fit.Singular);
    }

    [Theory]
    [MemberData(nameof(LikelihoodAndPql))]
    public void CompleteSeparationIsAnErrorNamingIt(FitMethod method)
    {
        // y = 1 exactly where x > 0: (Intercept) and x run off together.
        var data = Binary(r => r.X > 0 ? 1.0 : 0.0);
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Binomial), new FitOptions { Method = method }));
        Assert.StartsWith("the fixed effects separate the response (complete separation along (Intercept), x): " +
            "fitted probabilities numerically 0 or 1 occurred", e.Message);
        Assert.EndsWith("no binomial model can be fitted to these data as they stand", e.Message);
    }

    [Theory]
    [InlineData(FamilyKind.Binomial, FitMethod.Laplace, "fitted probabilities numerically 0 or 1 occurred")]
    [InlineData(FamilyKind.Binomial, FitMethod.Agq, "fitted probabilities numerically 0 or 1 occurred")]
    [InlineData(FamilyKind.Binomial, FitMethod.Pql, "fitted probabilities numerically 0 or 1 occurred")]
    [InlineData(FamilyKind.Poisson, FitMethod.Laplace, "fitted rates numerically 0 occurred")]
    [InlineData(FamilyKind.Poisson, FitMethod.Agq, "fitted rates numerically 0 occurred")]
    [InlineData(FamilyKind.Poisson, FitMethod.Pql, "fitted rates numerically 0 occurred")]
    public void AFactorLevelWithoutEventsIsQuasiCompleteSeparationNotConvergence(FamilyKind family, FitMethod method, string symptom)
    {
        // Level c of f has no events at all: its coefficient runs to minus infinity; the others are estimable.
        var data = WithLevels(r => r.Level == "c" ? 0.0 : family == FamilyKind.Binomial ? Bernoulli(r, 0.3 * r.X + r.B) : Poisson(r, 0.5 + 0.3 * r.X + r.B));
        var fit = Glmm.Fit(data, new ModelSpec("y ~ x + f + (1 | g)", family), new FitOptions { Method = method });
        Assert.False(fit.Converged);
        Assert.Equal($"Model failed to converge: the fixed effects separate the response (quasi-complete separation along fc): {symptom}, " +
            "and the estimates of fc run off to infinity, so they and their standard errors are not meaningful (drop or merge the terms, or use a penalised fit)",
            fit.Messages.First(m => m.StartsWith("Model failed to converge", StringComparison.Ordinal)));
        var fc = fit.FixedEffects.Single(c => c.Name == "fc");
        Assert.True(fc.Estimate < -15, $"fc {fc.Estimate:R}");
        Assert.True(double.IsNaN(fc.StdError) && double.IsNaN(fc.ZValue) && double.IsNaN(fc.PValue));
        foreach (var c in fit.FixedEffects.Where(c => c.Name != "fc"))
            Assert.True(double.IsFinite(c.StdError) && c.StdError is > 0.01 and < 1, $"{c.Name}: SE {c.StdError:R}");
    }

    /// <summary>With several grouping factors (here g crossed with h), Laplace and PQL find the same separation from
    /// their own linear predictor, every factor's modes included.</summary>
    [Theory]
    [InlineData(FamilyKind.Binomial, FitMethod.Laplace, "fitted probabilities numerically 0 or 1 occurred")]
    [InlineData(FamilyKind.Poisson, FitMethod.Laplace, "fitted rates numerically 0 occurred")]
    [InlineData(FamilyKind.Binomial, FitMethod.Pql, "fitted probabilities numerically 0 or 1 occurred")]
    [InlineData(FamilyKind.Poisson, FitMethod.Pql, "fitted rates numerically 0 occurred")]
    public void AFactorLevelWithoutEventsIsQuasiCompleteSeparationWithCrossedFactors(FamilyKind family, FitMethod method, string symptom)
    {
        var data = WithLevels(r => r.Level == "c" ? 0.0 : family == FamilyKind.Binomial ? Bernoulli(r, 0.3 * r.X + r.B) : Poisson(r, 0.5 + 0.3 * r.X + r.B),
            crossed: true);
        var fit = Glmm.Fit(data, new ModelSpec("y ~ x + f + (1 | g) + (1 | h)", family), new FitOptions { Method = method });
        Assert.Equal(2, fit.VarCorr.Count);
        Assert.False(fit.Converged);
        Assert.StartsWith($"Model failed to converge: the fixed effects separate the response (quasi-complete separation along fc): {symptom}",
            fit.Messages.First(m => m.StartsWith("Model failed to converge", StringComparison.Ordinal)));
        var fc = fit.FixedEffects.Single(c => c.Name == "fc");
        Assert.True(double.IsNaN(fc.StdError), $"fc's SE {fc.StdError}");
        foreach (var c in fit.FixedEffects.Where(c => c.Name != "fc"))
            Assert.True(double.IsFinite(c.StdError) && c.StdError is > 0.01 and < 1, $"{c.Name}: SE {c.StdError:R}");
    }

    [Fact]
    public void FittedProbabilitiesAtZeroOrOneWithoutSeparationAreAnOrdinaryFit()
    {
        // A steep but finite effect: rows far out have fitted probabilities numerically 0 or 1, yet the rows in
        // between determine every coefficient.
        var data = Binary(r => Bernoulli(r, -0.5 + 3.0 * (4 * r.X) + r.B), xScale: 4);
        var frame = Glmm.Frame(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Binomial));
        var fit = Glmm.Fit(frame, new FitOptions { Method = FitMethod.Laplace });
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.DoesNotContain(fit.Messages, m => m.Contains("separate", StringComparison.Ordinal));
        double slope = fit.FixedEffects.Single(c => c.Name == "x").Estimate;
        int extreme = Enumerable.Range(0, frame.RowCount).Count(i => Math.Abs(slope * frame.XAt(i, 1)) > 20);
        Assert.True(extreme > 5, $"only {extreme} rows with |eta| > 20");
    }

    [Theory]
    [InlineData(FitMethod.Laplace)]
    [InlineData(FitMethod.Pql)]
    public void AGaussianResponseMostlyBelowZeroUnderTheLogLinkSaysWhyTheStartFailed(FitMethod method)
    {
        var data = Binary(r => -0.3 + Normal(r.Random));
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian, LinkKind.Log), new FitOptions { Method = method }));
        int below = Column(data, "y").Count(v => v <= 0);
        Assert.Equal($"the GLM fit for starting values failed: the response 'y' is 0 or negative in {below} of 200 rows, where the mean of the log " +
            "link cannot go (use the identity link, or a response on a scale the link can reach)", e.Message);
    }

    [Fact]
    public void AGaussianResponseWithAFewValuesBelowZeroUnderTheLogLinkIsAnOrdinaryFit()
    {
        var data = Binary(r => Math.Exp(0.5 + 0.2 * r.X + 0.3 * r.B) + 0.8 * Normal(r.Random));
        Assert.Contains(Column(data, "y"), v => v < 0);
        var fit = Glmm.Fit(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian, LinkKind.Log), new FitOptions { Method = FitMethod.Laplace });
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.InRange(fit.FixedEffects[0].Estimate, 0.3, 0.7);
    }

    /// <summary>A row of the simulated data: its group's effect, x, a factor level, and the generator.</summary>
    private sealed record Row(double X, double B, string Level, Random Random);

    private static void AssertRefused(DataTable data, string formula, FamilyKind family, FitOptions options, string message)
    {
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(data, new ModelSpec(formula, family), options));
        Assert.Equal(message, e.Message);
    }

    /// <summary>20 groups of 10 rows: g, x (standard normal times <paramref name="xScale"/>), y from <paramref name="response"/>.</summary>
    private static DataTable Binary(Func<Row, double> response, double xScale = 1) => Simulate(response, xScale, withLevels: false);

    /// <summary>As <see cref="Binary"/> with a factor f of levels a, b, c in turn; with <paramref name="crossed"/> also a
    /// grouping factor h of 7 levels in turn (crossed with g, without an effect of its own).</summary>
    private static DataTable WithLevels(Func<Row, double> response, bool crossed = false) => Simulate(response, 1, withLevels: true, crossed);

    private static DataTable Simulate(Func<Row, double> response, double xScale, bool withLevels, bool crossed = false)
    {
        var random = new Random(11);
        int n = 200;
        var g = new string?[n];
        var f = new string?[n];
        var x = new double[n];
        var y = new double[n];
        double b = 0;
        for (int i = 0; i < n; i++)
        {
            if (i % 10 == 0) b = 0.8 * Normal(random);
            g[i] = $"g{i / 10}";
            f[i] = ((char)('a' + i % 3)).ToString();
            x[i] = xScale * Normal(random);
            y[i] = response(new Row(x[i] / xScale, b, f[i]!, random));
        }
        if (crossed)
            return DataTable.FromColumns(("y", y), ("x", x), ("f", f), ("g", g), ("h", Enumerable.Range(0, n).Select(i => (string?)$"h{i % 7}").ToArray()));
        return withLevels
            ? DataTable.FromColumns(("y", y), ("x", x), ("f", f), ("g", g))
            : DataTable.FromColumns(("y", y), ("x", x), ("g", g));
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Bernoulli(Row r, double eta) => r.Random.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1.0 : 0.0;

    private static double Poisson(Row r, double eta)
    {
        double limit = Math.Exp(-Math.Exp(eta)), product = r.Random.NextDouble();
        int k = 0;
        while (product > limit)
        {
            product *= r.Random.NextDouble();
            k++;
        }
        return k;
    }

    private static double[] Column(DataTable data, string name) => ((NumericColumn)data[name]).Values;

    private static string?[] Groups(DataTable data) => ((StringColumn)data["g"]).Values;
}

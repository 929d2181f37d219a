using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Grid;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes.Grid;

/// <summary>
/// The deterministic grid (<c>--sampler grid</c>) against full sampling: cbpp against rstanarm's stan_glmer
/// (Fixtures/bayes/cbpp_bayes.json, the same priors), posterior means within 0.1 posterior SD, SDs and 95% quantiles
/// within 10%; a correlated random slope (three variance parameters) against our own NUTS with a fixed seed
/// (Fixtures/bayes/sim_poisson_slope_nuts.json); the same numbers, bit for bit, from two runs and from one thread or
/// two; and the refusals.
/// </summary>
public class GridPosteriorTests
{
    private static FitResult Fit(string file, string[] factors, string formula, FamilyKind family, string[] priors, int threads = 0, GridSettings? grid = null,
        DeviceChoice device = DeviceChoice.Cpu, long seed = 1)
    {
        var data = CsvLoader.Load(Fixtures.Path(file), new CsvOptions { Factors = factors });
        return Glmm.Fit(data, new ModelSpec(formula, family), new FitOptions
        {
            Method = FitMethod.Bayes,
            Execution = new ExecutionOptions { Device = device, Threads = threads },
            Bayes = new BayesOptions { Algorithm = BayesAlgorithm.Grid, Priors = priors.Select(PriorParser.Parse).ToList(), Grid = grid ?? new GridSettings(), Seed = seed },
        });
    }

    private static FitResult FitCbpp(int threads = 0, DeviceChoice device = DeviceChoice.Cpu, GridSettings? grid = null, long seed = 1) => Fit("cbpp.csv",
        ["herd", "period"], "cbind(incidence, size - incidence) ~ period + (1 | herd)", FamilyKind.Binomial,
        ["fixef ~ normal(0, 10)", "Intercept ~ normal(0, 10)", "sd ~ exponential(1)"], threads, grid, device, seed);

    [Fact]
    public void CbppMatchesRstanarm()
    {
        var fit = FitCbpp();
        var post = fit.Posterior!;
        var reference = Fixtures.Json("bayes/cbpp_bayes.json").GetProperty("posterior");
        var ours = post.Fixef.ToDictionary(s => s.Name);
        foreach (var name in new[] { "(Intercept)", "period2", "period3", "period4" })
            Compare(name, ours[name], reference.GetProperty(name));
        // The file's "sd:" entry summarises the herd SD's draws (its plain entry is the variance).
        Compare("sd(herd)", post.VarCorr[0].Sd[0], reference.GetProperty("sd:Sigma[herd:(Intercept),(Intercept)]"));
        Assert.True(fit.Converged);
        Assert.Equal(FitMethod.Bayes, fit.Method);
        Assert.Null(post.Sampler);
        Assert.Equal(1, post.Grid!.VarianceParameters);
        Assert.Empty(post.Draws);
        Assert.All(post.Fixef.Append(post.VarCorr[0].Sd[0]), s =>
        {
            Assert.Equal(0.0, s.Mcse);
            Assert.True(double.IsNaN(s.EssBulk) && double.IsNaN(s.EssTail) && double.IsNaN(s.Rhat));
        });
        // The fit's own fields are the posterior's means and SDs.
        Assert.Equal(post.Fixef.Select(s => s.Mean), fit.FixedEffects.Select(c => c.Estimate));
        Assert.Equal(post.Fixef[3].Sd * post.Fixef[3].Sd, fit.FixedEffectsCovariance[3, 3], 12);
    }

    private static void Compare(string name, PosteriorSummary s, JsonElement r)
    {
        double mean = r.GetProperty("mean").GetDouble(), sd = r.GetProperty("sd").GetDouble();
        Assert.True(Math.Abs(s.Mean - mean) <= 0.1 * sd, $"{name} mean {s.Mean} against rstanarm's {mean} (sd {sd})");
        Assert.True(Math.Abs(s.Sd / sd - 1) <= 0.1, $"{name} sd {s.Sd} against {sd}");
        double q025 = r.GetProperty("q025").GetDouble(), q975 = r.GetProperty("q975").GetDouble();
        Assert.True(Math.Abs(s.Q2_5 - q025) <= 0.1 * Math.Abs(q025), $"{name} 2.5% {s.Q2_5} against {q025}");
        Assert.True(Math.Abs(s.Q97_5 - q975) <= 0.1 * Math.Abs(q975), $"{name} 97.5% {s.Q97_5} against {q975}");
    }

    /// <summary>
    /// Three variance parameters (two SDs and their correlation) against 4 chains of NUTS (Fixtures/README.md says
    /// how the file was made): means within the larger of 0.15 posterior SD and 3 of NUTS's MCSEs, SDs within 10%, the
    /// 2.5% and 97.5% quantiles within 0.2 posterior SD (a quantile's Monte Carlo error is several times the mean's).
    /// </summary>
    [Fact]
    public void ACorrelatedSlopeMatchesNuts()
    {
        var fit = Fit("sim_poisson_slope.csv", ["g"], "y ~ x + (1 + x | g)", FamilyKind.Poisson, []);
        var post = fit.Posterior!;
        Assert.Equal(3, post.Grid!.VarianceParameters);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        var reference = Fixtures.Json("bayes/sim_poisson_slope_nuts.json").GetProperty("posterior");
        var nutsFixef = reference.GetProperty("fixef");
        foreach (var s in post.Fixef) Close(s, nutsFixef.GetProperty(s.Name));
        var nutsSd = reference.GetProperty("varcorr").GetProperty("g").GetProperty("sd");
        foreach (var s in post.VarCorr[0].Sd) Close(s, nutsSd.GetProperty(s.Name));
        Close(post.VarCorr[0].Corr[0].Summary, reference.GetProperty("varcorr").GetProperty("g").GetProperty("corr")[0]);
    }

    private static void Close(PosteriorSummary s, JsonElement nuts)
    {
        double mean = nuts.GetProperty("mean").GetDouble(), sd = nuts.GetProperty("sd").GetDouble(), mcse = nuts.GetProperty("mcse").GetDouble();
        Assert.True(Math.Abs(s.Mean - mean) <= Math.Max(0.15 * sd, 3 * mcse), $"{s.Name} mean {s.Mean} against NUTS's {mean} (sd {sd}, MCSE {mcse})");
        Assert.True(Math.Abs(s.Sd / sd - 1) <= 0.1, $"{s.Name} sd {s.Sd} against NUTS's {sd}");
        foreach (var (ours, key) in new[] { (s.Q2_5, "q2.5"), (s.Q50, "q50"), (s.Q97_5, "q97.5") })
        {
            double theirs = nuts.GetProperty(key).GetDouble();
            Assert.True(Math.Abs(ours - theirs) <= 0.2 * sd, $"{s.Name} {key} {ours} against NUTS's {theirs} (sd {sd})");
        }
    }

    [Fact]
    public void TwoRunsAndTwoThreadCountsGiveTheSameNumbersBitForBit()
    {
        var first = FitCbpp(threads: 1).Posterior!;
        var second = FitCbpp(threads: 1).Posterior!;
        var twoThreads = FitCbpp(threads: 2).Posterior!;
        static double[] Numbers(PosteriorResult p) => p.Fixef.Concat(p.VarCorr[0].Sd)
            .SelectMany(s => new[] { s.Mean, s.Sd, s.Q2_5, s.Q50, s.Q97_5 }).Concat(p.Grid!.Mode).ToArray();
        Assert.Equal(Numbers(first), Numbers(second));
        Assert.Equal(Numbers(first), Numbers(twoThreads));
        Assert.Equal(first.Grid!.Evaluations, twoThreads.Grid!.Evaluations);
    }

    /// <summary>The grid's batches through the ILGPU kernels (on ILGPU's CPU accelerator) give the CPU path's posterior.</summary>
    [Fact]
    public void TheIlgpuEngineGivesTheCpuPathsPosterior()
    {
        var cpu = FitCbpp().Posterior!;
        var device = FitCbpp(device: DeviceChoice.IlgpuCpu);
        Assert.Equal("ilgpu-cpu", device.Device);
        var post = device.Posterior!;
        Assert.Equal(cpu.Grid!.PointsEvaluated, post.Grid!.PointsEvaluated);
        foreach (var (a, b) in cpu.Fixef.Concat(cpu.VarCorr[0].Sd).Zip(post.Fixef.Concat(post.VarCorr[0].Sd)))
            foreach (var (x, y) in new[] { (a.Mean, b.Mean), (a.Sd, b.Sd), (a.Q2_5, b.Q2_5), (a.Q97_5, b.Q97_5) })
                Assert.True(Math.Abs(x - y) <= 1e-7 * Math.Max(1, Math.Abs(x)), $"{a.Name}: {x} on the CPU path, {y} on ilgpu-cpu");
    }

    /// <summary>Draws from the grid's posterior summarise to the grid's own summaries (within their Monte Carlo error),
    /// and the seed fixes them.</summary>
    [Fact]
    public void DrawsFromTheGridAgreeWithItsSummaries()
    {
        const int n = 20000;
        var fit = FitCbpp(grid: new GridSettings { Draws = n }, seed: 5);
        var post = fit.Posterior!;
        var draws = Assert.Single(post.Draws);
        Assert.Equal(n, draws.Length);
        Assert.Equal(post.DrawNames.Length, draws[0].Length);
        var summaries = post.Fixef.Append(post.VarCorr[0].Sd[0]).ToArray();
        for (int k = 0; k < summaries.Length; k++)
        {
            var s = summaries[k];
            var values = draws.Select(d => d[k]).OrderBy(v => v).ToArray();
            double mean = values.Average(), sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
            Assert.True(Math.Abs(mean - s.Mean) <= 4 * s.Sd / Math.Sqrt(n), $"{s.Name}: draws' mean {mean}, the grid's {s.Mean}");
            Assert.True(Math.Abs(sd / s.Sd - 1) <= 0.03, $"{s.Name}: draws' sd {sd}, the grid's {s.Sd}");
            Assert.True(Math.Abs(values[(int)(0.975 * n)] - s.Q97_5) <= 0.06 * s.Sd + 0.01 * Math.Abs(s.Q97_5), $"{s.Name}: draws' 97.5% {values[(int)(0.975 * n)]}, the grid's {s.Q97_5}");
        }
        var again = FitCbpp(grid: new GridSettings { Draws = 50 }, seed: 5).Posterior!.Draws[0];
        var other = FitCbpp(grid: new GridSettings { Draws = 50 }, seed: 6).Posterior!.Draws[0];
        Assert.Equal(draws.Take(50).SelectMany(d => d), again.SelectMany(d => d));
        Assert.NotEqual(again[0][0], other[0][0]);
    }

    [Fact]
    public void MoreThanFiveVarianceParametersAreRefusedBeforeFitting()
    {
        // Three correlated effects: three SDs and three correlations.
        var e = Assert.Throws<GlmmException>(() => Fit("sim_binary_slope.csv", ["g"], "y ~ x + (1 + x + z | g)", FamilyKind.Binomial, []));
        Assert.Contains("--sampler grid integrates over at most 5 variance parameters and this model has 6", e.Message);
        Assert.Contains("use --sampler nuts", e.Message);
    }

    [Fact]
    public void BadSettingsAreRefused()
    {
        var step = Assert.Throws<GlmmException>(() => Fit("cbpp.csv", ["herd", "period"], "cbind(incidence, size - incidence) ~ period + (1 | herd)",
            FamilyKind.Binomial, [], grid: new GridSettings { Step = -1 }));
        Assert.Contains("--grid-step must lie in (0, 3], not -1", step.Message);
        var threshold = Assert.Throws<GlmmException>(() => Fit("cbpp.csv", ["herd", "period"], "cbind(incidence, size - incidence) ~ period + (1 | herd)",
            FamilyKind.Binomial, [], grid: new GridSettings { Threshold = 0 }));
        Assert.Contains("--grid-threshold must lie in (0, 20], not 0", threshold.Message);
    }

    /// <summary>A grid cut at INLA's 2.5 in three dimensions leaves a fifth of the weight on its outer ring: said so.</summary>
    [Fact]
    public void AGridCutShortIsSaidToBe()
    {
        var fit = Fit("sim_poisson_slope.csv", ["g"], "y ~ x + (1 + x | g)", FamilyKind.Poisson, [], grid: new GridSettings { Threshold = 2.5 });
        Assert.Contains(fit.Messages, m => m.Contains("of the grid's weight lies beyond the threshold", StringComparison.Ordinal));
        Assert.True(fit.Posterior!.Grid!.WeightBeyondThreshold > 0.05);
    }
}

using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>
/// cbpp against rstanarm's stan_glmer (Fixtures/cbpp_bayes.json: fixed effects and intercept normal(0, 10), the herd
/// SD exponential(1), 4 chains of 6000 iterations), with the same priors stated and 4 chains of 2000: posterior means
/// within the larger of 0.1 posterior SD and 3 Monte Carlo SEs (both runs'), SDs and 95% quantiles within 10%,
/// R-hat under 1.01, no divergences; and the same draws from the same seed whatever the thread count.
/// </summary>
public class BayesReferenceTests
{
    private static FitResult FitCbpp(int threads, int iterations, long seed, int nodes = 1)
    {
        var data = CsvLoader.Load(Fixtures.Path("cbpp.csv"), new CsvOptions { Factors = ["herd", "period"] });
        var spec = new ModelSpec("cbind(incidence, size - incidence) ~ period + (1 | herd)", FamilyKind.Binomial);
        var priors = new[] { "fixef ~ normal(0, 10)", "Intercept ~ normal(0, 10)", "sd ~ exponential(1)" }.Select(PriorParser.Parse).ToList();
        return Glmm.Fit(data, spec, new FitOptions
        {
            Method = FitMethod.Bayes,
            NAgq = nodes,
            Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads },
            Bayes = new BayesOptions { Priors = priors, Chains = 4, Iterations = iterations, Seed = seed },
        });
    }

    [Fact]
    public void CbppMatchesRstanarm()
    {
        var fit = FitCbpp(threads: 0, iterations: 2000, seed: 2026);
        var post = fit.Posterior!;
        var reference = Fixtures.Json("bayes/cbpp_bayes.json").GetProperty("posterior");
        var ours = post.Fixef.ToDictionary(s => s.Name);
        foreach (var name in new[] { "(Intercept)", "period2", "period3", "period4" })
            Compare(name, ours[name], reference.GetProperty(name));
        Compare("sd(herd)", post.VarCorr[0].Sd[0], reference.GetProperty("sd:Sigma[herd:(Intercept),(Intercept)]"));
        Assert.All(post.Fixef.Append(post.VarCorr[0].Sd[0]), s => Assert.True(s.Rhat < 1.01, $"{s.Name}: R-hat {s.Rhat}"));
        Assert.Equal(0, post.Sampler!.Divergences.Sum());
        Assert.True(fit.Converged);
        Assert.Equal(FitMethod.Bayes, fit.Method);
        Assert.Equal(4 * 1000, post.Draws.Sum(c => c.Length));
    }

    private static void Compare(string name, PosteriorSummary s, JsonElement r)
    {
        double mean = r.GetProperty("mean").GetDouble(), sd = r.GetProperty("sd").GetDouble();
        // rstanarm gives no MCSE for the SD's square root: its mean's error is about sd / sqrt(n_eff) of the variance's.
        double theirMcse = r.TryGetProperty("mcse", out var m) ? m.GetDouble() : sd / Math.Sqrt(4000);
        double mcse = Math.Sqrt(s.Mcse * s.Mcse + theirMcse * theirMcse);
        Assert.True(Math.Abs(s.Mean - mean) <= Math.Max(0.1 * sd, 3 * mcse), $"{name} mean {s.Mean} against rstanarm's {mean} (sd {sd}, MCSE {mcse})");
        Assert.True(Math.Abs(s.Sd / sd - 1) <= 0.1, $"{name} sd {s.Sd} against {sd}");
        Assert.True(Math.Abs(s.Q2_5 - r.GetProperty("q025").GetDouble()) <= 0.1 * Math.Abs(r.GetProperty("q025").GetDouble()), $"{name} 2.5% {s.Q2_5}");
        Assert.True(Math.Abs(s.Q97_5 - r.GetProperty("q975").GetDouble()) <= 0.1 * Math.Abs(r.GetProperty("q975").GetDouble()), $"{name} 97.5% {s.Q97_5}");
    }

    /// <summary>Chains of 30 iterations have not mixed: R-hat above 1.01 is reported and the fit is not converged.</summary>
    [Fact]
    public void ChainsThatHaveNotMixedAreNotReportedAsConverged()
    {
        var fit = FitCbpp(threads: 0, iterations: 30, seed: 5);
        Assert.False(fit.Converged);
        Assert.Contains(fit.Messages, m => m.StartsWith("The sampler did not converge to a trustworthy posterior: R-hat above 1.01", StringComparison.Ordinal));
        Assert.Contains(fit.Messages, m => m.StartsWith("bulk or tail ESS below 400", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSeedFixesTheDrawsWhateverTheThreads()
    {
        var one = FitCbpp(threads: 1, iterations: 300, seed: 11).Posterior!;
        var two = FitCbpp(threads: 2, iterations: 300, seed: 11).Posterior!;
        var other = FitCbpp(threads: 2, iterations: 300, seed: 12).Posterior!;
        Assert.Equal(one.Draws.SelectMany(c => c).SelectMany(d => d), two.Draws.SelectMany(c => c).SelectMany(d => d));
        Assert.NotEqual(one.Draws[0][^1][0], other.Draws[0][^1][0]);
    }
}

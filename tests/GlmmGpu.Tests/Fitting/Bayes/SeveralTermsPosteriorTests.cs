using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>
/// Bayesian fits with several grouping factors: the nested binary model (school, school:class) against rstanarm's
/// stan_glmer, which samples every random effect (Fixtures/bayes/sim_nested_binary_rstanarm.json, 4 chains of 4000).
/// Fixed effects to the one-factor tolerances (means within the larger of 0.1 posterior SD and 3 Monte Carlo SEs, SDs
/// and 95% quantiles within 10%, a quantile near zero within 0.15 posterior SD). The SDs' posterior means within 5%: here the random effects are integrated out by
/// Laplace, as glmer does with several factors, and for binary data in classes of 12 rows Laplace puts the class SD a
/// few per cent low (0.527 against rstanarm's 0.547); their SDs and quantiles within 10%. Then the log posterior's
/// gradient against differences, and the same draws from the same seed whatever the threads.
/// </summary>
public class SeveralTermsPosteriorTests
{
    private const string Formula = "y ~ x + z + (1 | school/class)";

    private static GlmmGpu.Model.ModelFrame Frame() =>
        Glmm.Frame(CsvLoader.Load(Fixtures.Path("sim_nested_binary.csv"), new CsvOptions { Factors = ["school", "class"] }),
            new ModelSpec(Formula, FamilyKind.Binomial));

    private static FitResult Fit(int threads, int iterations, long seed) =>
        Glmm.Fit(Frame(), new FitOptions
        {
            Method = FitMethod.Bayes,
            Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads },
            Bayes = new BayesOptions { Chains = 4, Iterations = iterations, Seed = seed },
        });

    [Fact]
    public void NestedBinaryMatchesRstanarmUpToLaplace()
    {
        var fit = Fit(threads: 0, iterations: 1000, seed: 2026);
        var post = fit.Posterior!;
        var reference = Fixtures.Json("bayes/sim_nested_binary_rstanarm.json").GetProperty("posterior");
        foreach (var s in post.Fixef) Compare(s, reference.GetProperty(s.Name), meanTolerance: null);
        Assert.Equal(["school:class", "school"], post.VarCorr.Select(v => v.Factor));
        foreach (var component in post.VarCorr)
            Compare(component.Sd[0], reference.GetProperty($"sd({component.Factor})"), meanTolerance: 0.05);
        Assert.All(post.Fixef.Concat(post.VarCorr.SelectMany(v => v.Sd)), s => Assert.True(s.Rhat < 1.01, $"{s.Name}: R-hat {s.Rhat}"));
        Assert.Equal(0, post.Sampler!.Divergences.Sum());
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.Equal(2, fit.VarCorr.Count);
        Assert.Equal(2, fit.Ranef.Count);
        Assert.Equal(200, fit.Ranef[0].Modes.Length);
    }

    /// <param name="meanTolerance">Relative tolerance of the mean; null for the one-factor rule.</param>
    private static void Compare(PosteriorSummary s, JsonElement r, double? meanTolerance)
    {
        double mean = r.GetProperty("mean").GetDouble(), sd = r.GetProperty("sd").GetDouble();
        double mcse = Math.Sqrt(s.Mcse * s.Mcse + Math.Pow(r.GetProperty("mcse").GetDouble(), 2));
        double allowed = meanTolerance is { } relative ? relative * Math.Abs(mean) : Math.Max(0.1 * sd, 3 * mcse);
        Assert.True(Math.Abs(s.Mean - mean) <= allowed, $"{s.Name} mean {s.Mean} against rstanarm's {mean} (sd {sd}, MCSE {mcse})");
        Assert.True(Math.Abs(s.Sd / sd - 1) <= 0.1, $"{s.Name} sd {s.Sd} against {sd}");
        // A quantile near zero has no relative error to speak of: there 0.15 posterior SD (the Monte Carlo error of a
        // 2.5% quantile from 2000 draws is about 0.09 SD).
        double q025 = r.GetProperty("q025").GetDouble(), q975 = r.GetProperty("q975").GetDouble();
        Assert.True(Math.Abs(s.Q2_5 - q025) <= Math.Max(0.1 * Math.Abs(q025), 0.15 * sd), $"{s.Name} 2.5% {s.Q2_5} against {q025}");
        Assert.True(Math.Abs(s.Q97_5 - q975) <= Math.Max(0.1 * Math.Abs(q975), 0.15 * sd), $"{s.Name} 97.5% {s.Q97_5} against {q975}");
    }

    [Fact]
    public void LogPosteriorGradientMatchesDifferences()
    {
        var frame = Frame();
        var terms = new CrossedTerms(frame);
        var priorTerms = terms.Blocks.Select(b => new PriorTerm(b.GroupingFactor, b.TermNames, false)).ToArray();
        var (priors, termPriors) = PriorSet.Resolve([], frame.FixedNames, priorTerms, null, 1.0);
        var transform = new SeveralTermsTransform(frame.P, terms.Layouts, priors, termPriors, false, 1.0);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        var density = new SeveralTermsDensity(() => CrossedLaplaceCriterion.Create(frame, terms, parallel), transform, parallel, chainsInParallel: false);
        var request = new EvaluationRequest(transform.Dimension);
        double[] z = [-0.3, 0.6, -0.4, Math.Log(0.5), Math.Log(0.8)];
        z.CopyTo(request.Position, 0);
        density.Evaluate([request]);
        double f0 = request.LogDensity;
        var gradient = (double[])request.Gradient.Clone();
        for (int i = 0; i < z.Length; i++)
        {
            double h = 1e-5;
            var other = new EvaluationRequest(transform.Dimension);
            z.CopyTo(other.Position, 0);
            other.Position[i] += h;
            density.Evaluate([other]);
            double up = other.LogDensity;
            other.Position[i] -= 2 * h;
            density.Evaluate([other]);
            double fd = (up - other.LogDensity) / (2 * h);
            Assert.True(Math.Abs(fd - gradient[i]) < 1e-4 * (1 + Math.Abs(fd)), $"z[{i}]: {gradient[i]:R} against the difference {fd:R} (log density {f0})");
        }
    }

    [Fact]
    public void TheSeedFixesTheDrawsWhateverTheThreads()
    {
        var one = Fit(threads: 1, iterations: 60, seed: 11).Posterior!;
        var two = Fit(threads: 2, iterations: 60, seed: 11).Posterior!;
        Assert.Equal(one.Draws.SelectMany(c => c).SelectMany(d => d), two.Draws.SelectMany(c => c).SelectMany(d => d));
    }
}

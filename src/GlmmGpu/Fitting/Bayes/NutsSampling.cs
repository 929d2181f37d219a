using System.Diagnostics;
using GlmmGpu.Fitting.Bayes.Sampling;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>What the chains gave: the chains themselves (their draws in z), the draws as reported quantities, each
/// chain's transition statistics, and the sampler's record.</summary>
internal sealed record NutsOutcome(NutsChain[] Chains, double[][][] Draws, TransitionStats[][] Stats, SamplerRecord Sampler);

/// <summary>
/// Runs the chains of a Bayesian fit through a density (<see cref="ChainDriver"/>): each chain starts at
/// <c>start</c> moved by its own random offset of about <c>jitter</c>, from its own stream of the seed; the draws
/// after warm-up are mapped to the reported quantities, and what the sampler did is recorded.
/// </summary>
internal static class NutsSampling
{
    public static NutsOutcome Run(BayesOptions bayes, IPosteriorMap map, int quantityCount, double[] start, double[] jitter,
        IBatchDensity density, Func<long> evaluations, Action<string, int, double>? progress)
    {
        var settings = bayes.Sampler;
        var chains = new NutsChain[bayes.Chains];
        var runs = new List<IEnumerable<EvaluationRequest>>();
        for (int c = 0; c < chains.Length; c++)
        {
            chains[c] = new NutsChain(map.Dimension, settings, new ChainRandom(bayes.Seed, c));
            runs.Add(chains[c].Run(start, jitter));
        }
        var sampling = Stopwatch.StartNew();
        int rounds = 0;
        ChainDriver.Run(runs, density, _ =>
        {
            // The slowest chain's iterations, warm-up included.
            if (++rounds % 50 == 0) progress?.Invoke("sampling", chains.Min(ch => ch.Iteration), double.NaN);
        });
        double samplingSeconds = sampling.Elapsed.TotalSeconds;
        var draws = chains.Select(ch => ch.Draws.Select(zDraw =>
        {
            var v = new double[quantityCount];
            map.Constrained(zDraw, v);
            return v;
        }).ToArray()).ToArray();
        var stats = chains.Select(ch => ch.Stats.ToArray()).ToArray();
        var sampler = new SamplerRecord
        {
            Settings = settings,
            Chains = chains.Length,
            Seed = bayes.Seed,
            Metric = settings.DenseMetric ? "dense" : "diagonal",
            StepSizes = chains.Select(ch => ch.AdaptedStepSize).ToArray(),
            InverseMetricDiagonals = chains.Select(ch => ch.InverseMetricDiagonal).ToArray(),
            Divergences = stats.Select(s => s.Count(t => t.Divergent)).ToArray(),
            WarmupDivergences = chains.Select(ch => ch.WarmupDivergences).ToArray(),
            MaxTreeDepthHits = stats.Select(s => s.Count(t => t.TreeDepth >= settings.MaxTreeDepth)).ToArray(),
            Ebfmi = stats.Select(Ebfmi).ToArray(),
            MeanAcceptance = stats.Select(s => s.Length == 0 ? double.NaN : s.Average(t => t.AcceptStat)).ToArray(),
            Leapfrogs = stats.Sum(s => (long)s.Sum(t => t.Leapfrogs)),
            Evaluations = evaluations(),
            SamplingSeconds = samplingSeconds,
        };
        return new NutsOutcome(chains, draws, stats, sampler);
    }

    /// <summary>The mean of the chains' draws in z.</summary>
    public static double[] MeanPosition(NutsChain[] chains, int dimension)
    {
        var mean = new double[dimension];
        foreach (var chain in chains)
            foreach (var zDraw in chain.Draws)
                for (int i = 0; i < dimension; i++) mean[i] += zDraw[i];
        int count = chains.Sum(ch => ch.Draws.Count);
        for (int i = 0; i < dimension; i++) mean[i] /= Math.Max(1, count);
        return mean;
    }

    /// <summary>The covariance of quantities i and j over every chain's draws.</summary>
    public static double Covariance(double[][][] draws, int i, int j)
    {
        var all = draws.SelectMany(c => c).ToArray();
        if (all.Length < 2) return double.NaN;
        double mi = all.Average(d => d[i]), mj = all.Average(d => d[j]);
        return all.Sum(d => (d[i] - mi) * (d[j] - mj)) / (all.Length - 1);
    }

    /// <summary>E-BFMI: the mean squared change of energy between draws over its variance.</summary>
    private static double Ebfmi(TransitionStats[] stats)
    {
        if (stats.Length < 2) return double.NaN;
        double mean = stats.Average(s => s.Energy), num = 0, den = 0;
        for (int i = 0; i < stats.Length; i++)
        {
            if (i > 0) num += Math.Pow(stats[i].Energy - stats[i - 1].Energy, 2);
            den += Math.Pow(stats[i].Energy - mean, 2);
        }
        return num / den;
    }
}

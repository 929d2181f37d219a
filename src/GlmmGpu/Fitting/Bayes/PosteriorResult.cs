using GlmmGpu.Fitting.Bayes.Sampling;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>One quantity's posterior summary, with the keys rstanarm and brms users read: mean, sd, the 2.5%, 50% and
/// 97.5% quantiles, the mean's Monte Carlo SE, bulk and tail ESS and rank-normalised R-hat.</summary>
public sealed record PosteriorSummary(string Name, double Mean, double Sd, double Q2_5, double Q50, double Q97_5,
    double Mcse, double EssBulk, double EssTail, double Rhat);

/// <summary>A correlation's summary: the two terms it joins.</summary>
public sealed record CorrelationSummary(string Term1, string Term2, PosteriorSummary Summary);

/// <summary>One grouping factor's (one random-effects term's) SDs and correlations.</summary>
public sealed record PosteriorComponent(string Factor, IReadOnlyList<PosteriorSummary> Sd, IReadOnlyList<CorrelationSummary> Corr)
{
    /// <summary>The term's component from its summaries in the draws' order: the SDs by term, then (where correlated)
    /// the correlations, lower triangle by rows.</summary>
    internal static PosteriorComponent From(Model.RandomEffectsBlock block, bool correlated, ReadOnlySpan<PosteriorSummary> summaries)
    {
        int q = block.Q, at = q;
        var sd = new List<PosteriorSummary>();
        for (int j = 0; j < q; j++) sd.Add(summaries[j] with { Name = block.TermNames[j] });
        var corr = new List<CorrelationSummary>();
        if (correlated)
            for (int i = 1; i < q; i++)
                for (int j = 0; j < i; j++) corr.Add(new CorrelationSummary(block.TermNames[j], block.TermNames[i], summaries[at++]));
        return new PosteriorComponent(block.GroupingFactor, sd, corr);
    }

    /// <summary>How many summaries <see cref="From"/> takes for a term of q effects.</summary>
    internal static int Width(int q, bool correlated) => q + (correlated && q > 1 ? q * (q - 1) / 2 : 0);
}

/// <summary>What the sampler did, per chain and in all (the fit's record of a Bayesian fit).</summary>
public sealed record SamplerRecord
{
    public required NutsSettings Settings { get; init; }
    public required int Chains { get; init; }
    public required long Seed { get; init; }
    public required string Metric { get; init; }
    public required double[] StepSizes { get; init; }
    public required double[][] InverseMetricDiagonals { get; init; }
    public required int[] Divergences { get; init; }
    public required int[] WarmupDivergences { get; init; }
    public required int[] MaxTreeDepthHits { get; init; }
    /// <summary>Per chain, the energy Bayesian fraction of missing information (Betancourt 2016); below 0.3 is low.</summary>
    public required double[] Ebfmi { get; init; }
    public required double[] MeanAcceptance { get; init; }
    public required long Leapfrogs { get; init; }
    /// <summary>Log-likelihood evaluations (points) in sampling, warm-up included.</summary>
    public required long Evaluations { get; init; }
    public required double SamplingSeconds { get; init; }
}

/// <summary>
/// The posterior of a Bayesian fit: the priors used, each quantity's summary laid out as the fit's (fixed effects,
/// each grouping factor's SDs and correlations, the dispersion), the sampler's record, warnings, and the draws.
/// </summary>
public sealed class PosteriorResult
{
    public required IReadOnlyList<string> Priors { get; init; }
    public required IReadOnlyList<PosteriorSummary> Fixef { get; init; }
    /// <summary>Per random-effects term, in the fit's order (lme4's: most levels first).</summary>
    public required IReadOnlyList<PosteriorComponent> VarCorr { get; init; }
    /// <summary>The dispersion as results report it (its name in <see cref="PosteriorSummary.Name"/>), null where none.</summary>
    public PosteriorSummary? Dispersion { get; init; }
    /// <summary>What NUTS did; null for the grid (<see cref="Grid"/>).</summary>
    public SamplerRecord? Sampler { get; init; }
    /// <summary>What the deterministic grid did; null for NUTS.</summary>
    public Grid.GridRecord? Grid { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>The draws' column names: coefficients, <c>sd(g, x)</c>, <c>corr(g, x, y)</c>, the dispersion.</summary>
    public required string[] DrawNames { get; init; }
    /// <summary>draws[chain][iteration][quantity], after warm-up (none for the grid).</summary>
    public required double[][][] Draws { get; init; }
    /// <summary>The sampler's statistics per chain and iteration after warm-up.</summary>
    public required TransitionStats[][] Stats { get; init; }
    /// <summary>Random effects drawn at some of the posterior draws, where asked for (null otherwise).</summary>
    public RandomEffectDrawSet? RandomEffects { get; init; }

    public PosteriorResult WithRandomEffects(RandomEffectDrawSet draws) => new()
    {
        Priors = Priors, Fixef = Fixef, VarCorr = VarCorr, Dispersion = Dispersion, Sampler = Sampler, Grid = Grid,
        Warnings = Warnings, DrawNames = DrawNames, Draws = Draws, Stats = Stats, RandomEffects = draws,
    };
}

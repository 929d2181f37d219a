using GlmmGpu.Fitting.Bayes.Sampling;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// The settings of a Bayesian fit (<c>--method bayes</c>): the priors as given (<see cref="PriorSet"/> fills in the
/// defaults), the chains, iterations per chain (warm-up included, as Stan counts them), warm-up, seed, and the
/// sampler's tuning. The quadrature that integrates the random effects out is the fit's <see cref="FitOptions.NAgq"/>.
/// </summary>
public sealed record BayesOptions
{
    public IReadOnlyList<PriorStatement> Priors { get; init; } = Array.Empty<PriorStatement>();
    public int Chains { get; init; } = 4;
    /// <summary>Iterations per chain, warm-up included.</summary>
    public int Iterations { get; init; } = 2000;
    /// <summary>Warm-up iterations per chain; null means half of <see cref="Iterations"/>.</summary>
    public int? Warmup { get; init; }
    /// <summary>The seed every chain's stream comes from (with the chain's number).</summary>
    public long Seed { get; init; } = 1;
    public bool DenseMetric { get; init; }
    public double TargetAcceptance { get; init; } = 0.8;
    public int MaxTreeDepth { get; init; } = 10;
    /// <summary>Posterior draws (evenly spaced) at which to draw the random effects (<see cref="RandomEffectDraws"/>); 0 for none.</summary>
    public int RandomEffectDrawCount { get; init; }
    /// <summary>How the posterior is integrated: NUTS draws (default) or the deterministic grid (<see cref="Grid.GridEstimator"/>).</summary>
    public BayesAlgorithm Algorithm { get; init; } = BayesAlgorithm.Nuts;
    /// <summary>The grid's step and threshold, for <see cref="BayesAlgorithm.Grid"/>.</summary>
    public Grid.GridSettings Grid { get; init; } = new();

    public int WarmupIterations => Warmup ?? Iterations / 2;

    public NutsSettings Sampler => new()
    {
        Warmup = WarmupIterations,
        Samples = Iterations - WarmupIterations,
        TargetAcceptance = TargetAcceptance,
        MaxTreeDepth = MaxTreeDepth,
        DenseMetric = DenseMetric,
    };
}

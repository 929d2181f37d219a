namespace GlmmGpu.Fitting.Bayes;

/// <summary>How a Bayesian fit integrates the posterior (<c>--sampler</c>).</summary>
public enum BayesAlgorithm
{
    /// <summary>The No-U-Turn sampler's draws (<see cref="Sampling.NutsChain"/>).</summary>
    Nuts,
    /// <summary>The deterministic INLA-style grid over the variance parameters (<see cref="Grid.GridEstimator"/>).</summary>
    Grid,
}

namespace GlmmGpu.Fitting.Bayes;

/// <summary>The map between the sampler's unconstrained z and the likelihood's psi, with the log prior (and
/// log-Jacobian) in z and the reported quantities at z: one grouping factor's (<see cref="PosteriorTransform"/>) or
/// several terms' (<see cref="SeveralTermsTransform"/>).</summary>
internal interface IPosteriorMap
{
    /// <summary>The length of z.</summary>
    int Dimension { get; }
    void ToPsi(ReadOnlySpan<double> z, Span<double> psi);
    /// <summary>Adds J' g to <paramref name="gradZ"/>, g a gradient in psi and J = d psi / d z.</summary>
    void AddPullBack(ReadOnlySpan<double> z, ReadOnlySpan<double> gradPsi, Span<double> gradZ);
    /// <summary>log prior + log Jacobian at z (up to a constant); its gradient is written to <paramref name="gradZ"/>.</summary>
    double LogPrior(ReadOnlySpan<double> z, Span<double> gradZ);
    /// <summary>The reported quantities at z (fixed effects, SDs, correlations, the dispersion as results report it).</summary>
    void Constrained(ReadOnlySpan<double> z, Span<double> values);
}

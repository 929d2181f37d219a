namespace GlmmGpu.Results;

/// <summary>One fixed-effect coefficient with its Wald statistics.</summary>
public sealed record Coefficient(string Name, double Estimate, double StdError, double ZValue, double PValue);

/// <summary>
/// Variances and correlations of one grouping factor's random effects. <see cref="Corr"/> is the lower
/// triangle of the correlation matrix by rows (empty for one effect or for uncorrelated <c>||</c> terms).
/// </summary>
public sealed record VarianceComponent(string Factor, string[] TermNames, double[] Sd, double[] Corr, int Levels);

/// <summary>The dispersion parameter of families that have one: its name as glmmTMB/lme4 print it, and its value.</summary>
public sealed record Dispersion(string Name, double Value);

/// <summary>Conditional modes (and their conditional SDs) of one grouping factor's random effects, by level.</summary>
public sealed record RandomEffectsModes(string Factor, string[] TermNames, string[] Levels, double[][] Modes, double[][] ConditionalSd);

/// <summary>
/// The record of a fit: what was fitted, how, and what came out. The same object feeds the summary and the
/// JSON output. Log-likelihoods are full (all constants included) so they compare across methods and software.
/// </summary>
public sealed class FitResult
{
    public required string Formula { get; init; }
    public required string Family { get; init; }
    public required string Link { get; init; }
    /// <summary><c>laplace</c>, <c>agq</c>, <c>pql</c>, <c>ml</c> or <c>reml</c>.</summary>
    public required string Method { get; init; }
    public required int NAgq { get; init; }
    /// <summary><c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda:NAME</c>, <c>opencl:NAME</c>.</summary>
    public required string Device { get; init; }
    public required int NObs { get; init; }
    public required IReadOnlyList<(string Factor, int Levels)> NGroups { get; init; }
    public required IReadOnlyList<Coefficient> FixedEffects { get; init; }
    /// <summary>Covariance of the fixed-effect estimates (p by p), the inverse of the observed information.</summary>
    public required double[,] FixedEffectsCovariance { get; init; }
    public required IReadOnlyList<VarianceComponent> VarCorr { get; init; }
    public Dispersion? Dispersion { get; init; }
    /// <summary>Null for PQL, which has no likelihood.</summary>
    public double? LogLik { get; init; }
    public double? Deviance => LogLik is { } l ? -2 * l : null;
    /// <summary>Number of estimated parameters (fixed effects, covariance parameters, dispersion).</summary>
    public required int ParameterCount { get; init; }
    public double? Aic => LogLik is { } l ? -2 * l + 2 * ParameterCount : null;
    public double? Bic => LogLik is { } l ? -2 * l + Math.Log(NObs) * ParameterCount : null;
    public int DfResid => NObs - ParameterCount;
    /// <summary>The REML criterion (-2 REML log-likelihood) for REML fits.</summary>
    public double? RemlCriterion { get; init; }
    /// <summary>The residual SD PQL estimates (glmmPQL's scale), null elsewhere.</summary>
    public double? ResidualSd { get; init; }
    public required bool Converged { get; init; }
    public required bool Singular { get; init; }
    public required int Iterations { get; init; }
    public required int FunctionEvaluations { get; init; }
    /// <summary>Fit time in seconds, excluding data loading.</summary>
    public required double Seconds { get; init; }
    public required IReadOnlyList<RandomEffectsModes> Ranef { get; init; }
    /// <summary>Pearson residuals divided by ... as lme4's "Scaled residuals" (quantiles in the summary).</summary>
    public double[]? ScaledResiduals { get; init; }
    /// <summary>Notes for the user: dropped rows and columns, singular fit, non-convergence.</summary>
    public required IReadOnlyList<string> Messages { get; init; }
    /// <summary>
    /// Levels, in R's order, of the factors in the fixed part and in random terms' columns (the frame's
    /// <c>FactorLevels</c>): what prediction needs to code new data as the fit did. Null when not recorded.
    /// </summary>
    public IReadOnlyDictionary<string, string[]>? FactorLevels { get; init; }
}

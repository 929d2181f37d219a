using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Fitting;

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
public sealed record RandomEffectsModes(string Factor, string[] TermNames, string[] Levels, double[][] Modes, double[][] ConditionalSd)
{
    /// <summary>
    /// Each level's conditional covariance of its effects, q by q row-major (lme4's <c>condVar</c>, its "postVar"
    /// attribute): the inverse of the penalised Hessian at the modes, on the scale of b. Null where the method has
    /// none (PQL's modes).
    /// </summary>
    public double[][]? ConditionalCovariance { get; init; }
}

/// <summary>
/// What a fit found: the model, the estimates and their uncertainty, the conditional modes, and notes for the
/// user; how it got there (settings, device, start, optimizer trail, timings) is its <see cref="Record"/>. The same
/// object feeds the summary and the JSON output. Log-likelihoods are full (all constants included) so they
/// compare across methods and software.
/// </summary>
public sealed class FitResult
{
    public required string Formula { get; init; }
    public required FamilyKind Family { get; init; }
    public required LinkKind Link { get; init; }
    public required FitMethod Method { get; init; }
    /// <summary>Quadrature nodes per random effect for Laplace (1) and AGQ; 0 for the other methods.</summary>
    public required int NAgq { get; init; }
    /// <summary>What happened in the fit, beside the settings it was given.</summary>
    public required FitRecord Record { get; init; }
    /// <summary><c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda:NAME</c>, <c>opencl:NAME</c>.</summary>
    public string Device => Record.Device;
    public required int NObs { get; init; }
    public required IReadOnlyList<(string Factor, int Levels)> NGroups { get; init; }
    public required IReadOnlyList<Coefficient> FixedEffects { get; init; }
    /// <summary>Covariance of the fixed-effect estimates (p by p), the inverse of the observed information.</summary>
    public required double[,] FixedEffectsCovariance { get; init; }
    public required IReadOnlyList<VarianceComponent> VarCorr { get; init; }
    public Dispersion? Dispersion { get; init; }
    /// <summary>Null for PQL, which has no likelihood.</summary>
    public double? LogLik { get; init; }
    public double? Deviance => LogLik is { } l ? InformationCriteria.Deviance(l) : null;
    /// <summary>Number of estimated parameters (fixed effects, covariance parameters, dispersion).</summary>
    public required int ParameterCount { get; init; }
    public double? Aic => LogLik is { } l ? InformationCriteria.Aic(l, ParameterCount) : null;
    public double? Bic => LogLik is { } l ? InformationCriteria.Bic(l, ParameterCount, NObs) : null;
    public int DfResid => NObs - ParameterCount;
    /// <summary>The REML criterion (-2 REML log-likelihood) for REML fits.</summary>
    public double? RemlCriterion { get; init; }
    /// <summary>The residual SD PQL estimates (glmmPQL's scale), null elsewhere.</summary>
    public double? ResidualSd { get; init; }
    public required bool Converged { get; init; }
    public required bool Singular { get; init; }
    public int Iterations => Record.Iterations;
    public int FunctionEvaluations => Record.Evaluations;
    /// <summary>Fit time in seconds, excluding data loading.</summary>
    public double Seconds => Record.Seconds;
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
    /// <summary>For a Bayesian fit, the posterior (summaries, sampler record, draws); null otherwise.</summary>
    public Bayes.PosteriorResult? Posterior { get; init; }
}

namespace GlmmGpu.Fitting.Inference;

/// <summary>A two-sided interval; NaN ends where it is not available (lme4's NA).</summary>
public readonly record struct Interval(double Lower, double Upper)
{
    public static Interval Unavailable => new(double.NaN, double.NaN);
    public bool IsAvailable => !double.IsNaN(Lower) || !double.IsNaN(Upper);
}

/// <summary>The intervals of one grouping factor's SDs (by term) and correlations (lower triangle by rows, as
/// <see cref="VarianceComponent.Corr"/>), with their bootstrap SDs under the bootstrap.</summary>
public sealed record ComponentIntervals(string Factor, string[] TermNames, Interval[] Sd, Interval[] Corr,
    double[]? SdBootstrapSd = null, double[]? CorrBootstrapSd = null);

/// <summary>
/// Confidence intervals for a fit's parameters, as lme4's <c>confint</c>: the fixed effects, each grouping factor's
/// SDs and correlations, and the dispersion (sigma for the Gaussian and the Gamma) where the family has one.
/// </summary>
public sealed class ConfidenceIntervals
{
    public required IntervalMethod Method { get; init; }
    public required double Level { get; init; }
    public required IReadOnlyList<string> FixedNames { get; init; }
    public required Interval[] Fixef { get; init; }
    public required IReadOnlyList<ComponentIntervals> VarCorr { get; init; }
    /// <summary>The dispersion's name as the fit reports it (<see cref="Dispersion.Name"/>), null without one.</summary>
    public string? DispersionName { get; init; }
    public Interval? Dispersion { get; init; }
    /// <summary>Bootstrap only: the SD of each fixed effect over the replicates.</summary>
    public double[]? FixefBootstrapSd { get; init; }
    public double? DispersionBootstrapSd { get; init; }
    /// <summary>Bootstrap only: replicates asked for, and those whose refit gave finite estimates (used).</summary>
    public int Replicates { get; init; }
    public int ReplicatesUsed { get; init; }
    /// <summary>Bootstrap only: each used replicate's statistics, in <see cref="ParametricBootstrap"/>'s order (fixed
    /// effects, SDs, correlations, dispersion), for further summaries (not written to the JSON).</summary>
    public IReadOnlyList<double[]>? ReplicateStatistics { get; init; }
    /// <summary>Notes for the user (parameters not profiled and why, failed replicates).</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
    /// <summary>Seconds the intervals took (after the fit).</summary>
    public double Seconds { get; init; }
    /// <summary>Profile only: refits and likelihood evaluations the profiles took.</summary>
    public int Refits { get; init; }
    public int Evaluations { get; init; }
    /// <summary>Profile of a Laplace or AGQ fit: the passes over the rows its refits took (each serving every end
    /// still running, <see cref="LockstepEvaluations"/>).</summary>
    public int Passes { get; init; }
}

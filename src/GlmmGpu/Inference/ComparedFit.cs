using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Inference;

/// <summary>
/// What a likelihood-ratio test needs of one saved fit: its name in the table, the model, the likelihood and the
/// parameter count, and what it was fitted to. <see cref="Data"/> is null for fits saved without it (older files).
/// </summary>
public sealed record ComparedFit
{
    /// <summary>The row name in the table (the file name without <c>.json</c>).</summary>
    public required string Name { get; init; }
    /// <summary>The file it was read from, for messages.</summary>
    public required string Source { get; init; }
    public required string Formula { get; init; }
    /// <summary>The left-hand side of the formula, as written.</summary>
    public required string Response { get; init; }
    public required FamilyKind Family { get; init; }
    public required LinkKind Link { get; init; }
    public required FitMethod Method { get; init; }
    public required int NAgq { get; init; }
    public required int NObs { get; init; }
    public required int ParameterCount { get; init; }
    /// <summary>The full log-likelihood (for REML fits, the REML log-likelihood); null for PQL.</summary>
    public required double? LogLik { get; init; }
    public required IReadOnlyList<string> FixedEffects { get; init; }
    public required bool Converged { get; init; }
    public DataFileIdentity? Data { get; init; }

    public double Deviance => InformationCriteria.Deviance(LogLik!.Value);
    public double Aic => InformationCriteria.Aic(LogLik!.Value, ParameterCount);
    public double Bic => InformationCriteria.Bic(LogLik!.Value, ParameterCount, NObs);
}

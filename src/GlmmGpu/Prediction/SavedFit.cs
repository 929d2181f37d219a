using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;

using GlmmGpu.Fitting;

namespace GlmmGpu.Prediction;

/// <summary>The conditional modes of one random term: the grouping factor's key as the JSON writes it, and the modes by level.</summary>
public sealed record SavedRandomEffects(string Factor, IReadOnlyDictionary<string, double[]> ModesByLevel);

/// <summary>
/// What prediction needs from a fit, and no more: the formula (offsets and the design are rebuilt from it on
/// new data), family and link, the fixed-effect estimates by name, the conditional modes of each random term
/// by level, and the levels the fit coded its factors with. Read from a fit's JSON
/// (<see cref="SavedFitJson"/>) or taken from a <see cref="FitResult"/> in memory (<see cref="From"/>).
/// </summary>
public sealed record SavedFit
{
    public required string Formula { get; init; }
    public required FamilyKind Family { get; init; }
    public required LinkKind Link { get; init; }
    /// <summary>How the fit was made; null when its JSON does not say.</summary>
    public FitMethod? Method { get; init; }
    /// <summary>Fixed-effect estimates by coefficient name, in the fit's order.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> FixedEffects { get; init; }
    /// <summary>One entry per random term, in formula order.</summary>
    public required IReadOnlyList<SavedRandomEffects> RandomEffects { get; init; }
    /// <summary>Levels of the factors in the fit's design, in R's order.</summary>
    public required IReadOnlyDictionary<string, string[]> FactorLevels { get; init; }
    /// <summary>Whether the fit converged; null when its JSON does not say.</summary>
    public bool? Converged { get; init; }

    public static SavedFit From(FitResult fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var keys = FitResultJson.UniqueNames(fit.Ranef.Select(r => r.Factor));
        return new SavedFit
        {
            Formula = fit.Formula,
            Family = fit.Family,
            Link = fit.Link,
            Method = fit.Method,
            FixedEffects = fit.FixedEffects.Select(c => KeyValuePair.Create(c.Name, c.Estimate)).ToList(),
            RandomEffects = fit.Ranef.Select((r, k) => new SavedRandomEffects(keys[k], ByLevel(r))).ToList(),
            FactorLevels = fit.FactorLevels
                ?? throw new GlmmException("this fit does not record its factor levels, which prediction needs; refit it with this version of glmm"),
            Converged = fit.Converged,
        };
    }

    private static Dictionary<string, double[]> ByLevel(RandomEffectsModes r)
    {
        var modes = new Dictionary<string, double[]>(r.Levels.Length, StringComparer.Ordinal);
        for (int g = 0; g < r.Levels.Length && g < r.Modes.Length; g++) modes[r.Levels[g]] = r.Modes[g];
        return modes;
    }
}

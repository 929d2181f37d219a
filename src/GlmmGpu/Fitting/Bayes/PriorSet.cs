using System.Globalization;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// The prior of every parameter of one model, from the <c>--prior</c> statements and the defaults: the most specific
/// statement wins (a coefficient over <c>fixef</c>; <c>sd(g, x)</c> over <c>sd(g)</c> over <c>sd</c>), whatever the
/// order given. Defaults, weakly informative and unscaled as rstanarm's with <c>autoscale = FALSE</c>: normal(0, 10)
/// for the intercept and every coefficient, exponential(1) for every SD, lkj(1) (uniform) for correlations,
/// exponential(1) for the dispersion; for a Gaussian model with the identity link the scales follow the response,
/// s = sd(y): normal(0, 10 s), exponential(1 / s) (as rstanarm's autoscaling does there).
/// </summary>
public sealed class PriorSet
{
    /// <summary>Per fixed-effect coefficient, in the model's order.</summary>
    public required Prior[] Coefficients { get; init; }
    /// <summary>Per random-effect term of the one grouping factor, on its SD.</summary>
    public required Prior[] Sds { get; init; }
    /// <summary>The LKJ prior on the correlation matrix (null without correlations).</summary>
    public Prior? Correlation { get; init; }
    /// <summary>On the dispersion as results report it (sigma, size, ...), null where the family has none.</summary>
    public Prior? Dispersion { get; init; }
    /// <summary>Lines for the summary: "target ~ distribution", "(default)" where no statement gave it.</summary>
    public required IReadOnlyList<string> Description { get; init; }

    /// <param name="responseScale">sd(y) for a Gaussian identity-link model, 1 otherwise: the defaults' scale.</param>
    public static PriorSet Resolve(IReadOnlyList<PriorStatement> statements, string[] fixedNames, string factor, string[] termNames,
        bool correlated, string? dispersionName, double responseScale)
    {
        foreach (var s in statements) CheckNames(s, fixedNames, factor, termNames, correlated, dispersionName);
        var lines = new List<string>();
        var coefficients = new Prior[fixedNames.Length];
        for (int i = 0; i < fixedNames.Length; i++)
        {
            bool intercept = fixedNames[i] == "(Intercept)";
            var chosen = Last(statements, t => t.Kind == PriorTargetKind.Coefficient && t.Name == fixedNames[i])
                ?? (intercept ? null : Last(statements, t => t.Kind == PriorTargetKind.Fixef));
            coefficients[i] = chosen ?? Prior.Normal(0, 10 * responseScale);
            lines.Add($"{fixedNames[i]} ~ {coefficients[i]}{(chosen is null ? " (default)" : "")}");
        }
        var sds = new Prior[termNames.Length];
        for (int j = 0; j < termNames.Length; j++)
        {
            var chosen = Last(statements, t => t.Kind == PriorTargetKind.TermSd && t.Factor == factor && t.Name == termNames[j])
                ?? Last(statements, t => t.Kind == PriorTargetKind.FactorSd && t.Factor == factor)
                ?? Last(statements, t => t.Kind == PriorTargetKind.Sd);
            sds[j] = chosen ?? Prior.Exponential(1 / responseScale);
            lines.Add($"sd({factor}, {termNames[j]}) ~ {sds[j]}{(chosen is null ? " (default)" : "")}");
        }
        Prior? corr = null;
        if (correlated)
        {
            var chosen = Last(statements, t => t.Kind == PriorTargetKind.FactorCorr && t.Factor == factor)
                ?? Last(statements, t => t.Kind == PriorTargetKind.Corr);
            corr = chosen ?? Prior.Lkj(1);
            lines.Add($"corr({factor}) ~ {corr}{(chosen is null ? " (default)" : "")}");
        }
        Prior? dispersion = null;
        if (dispersionName is not null)
        {
            var chosen = Last(statements, t => t.Kind == PriorTargetKind.Dispersion);
            dispersion = chosen ?? Prior.Exponential(1 / responseScale);
            lines.Add($"dispersion ({dispersionName}) ~ {dispersion}{(chosen is null ? " (default)" : "")}");
        }
        return new PriorSet { Coefficients = coefficients, Sds = sds, Correlation = corr, Dispersion = dispersion, Description = lines };
    }

    private static Prior? Last(IReadOnlyList<PriorStatement> statements, Func<PriorTarget, bool> applies) =>
        statements.LastOrDefault(s => applies(s.Target))?.Prior;

    private static void CheckNames(PriorStatement s, string[] fixedNames, string factor, string[] termNames, bool correlated, string? dispersionName)
    {
        var t = s.Target;
        string where = $"--prior \"{s}\"";
        switch (t.Kind)
        {
            case PriorTargetKind.Coefficient when !fixedNames.Contains(t.Name):
                throw new GlmmException($"{where}: the model has no fixed effect '{t.Name}' (its coefficients: {string.Join(", ", fixedNames)})");
            case PriorTargetKind.FactorSd or PriorTargetKind.TermSd or PriorTargetKind.FactorCorr when t.Factor != factor:
                throw new GlmmException($"{where}: the model has no grouping factor '{t.Factor}' (it has {factor})");
            case PriorTargetKind.TermSd when !termNames.Contains(t.Name):
                throw new GlmmException($"{where}: the random effects of {factor} have no term '{t.Name}' (they have {string.Join(", ", termNames)})");
            case PriorTargetKind.Corr or PriorTargetKind.FactorCorr when !correlated:
                throw new GlmmException($"{where}: the model has no correlated random effects");
            case PriorTargetKind.Dispersion when dispersionName is null:
                throw new GlmmException($"{where}: this family has no dispersion parameter");
        }
    }
}

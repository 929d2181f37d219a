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
    /// <summary>Per effect of one random-effects term, on its SD (empty in the set of several terms' fixed effects).</summary>
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
        var (set, terms) = Resolve(statements, fixedNames, [new PriorTerm(factor, termNames, correlated)], dispersionName, responseScale);
        return new PriorSet
        {
            Coefficients = set.Coefficients, Sds = terms[0].Sds, Correlation = terms[0].Correlation, Dispersion = set.Dispersion,
            Description = set.Description,
        };
    }

    /// <summary>With several random-effects terms: the fixed effects' and the dispersion's priors (and every line of the
    /// description) in the set, each term's SDs and correlation in its own set (no coefficients, no dispersion).</summary>
    public static (PriorSet Set, PriorSet[] Terms) Resolve(IReadOnlyList<PriorStatement> statements, string[] fixedNames,
        IReadOnlyList<PriorTerm> terms, string? dispersionName, double responseScale)
    {
        foreach (var s in statements) CheckNames(s, fixedNames, terms, dispersionName);
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
        var termSets = new PriorSet[terms.Count];
        for (int k = 0; k < terms.Count; k++)
        {
            var (factor, termNames, correlated) = terms[k];
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
            termSets[k] = new PriorSet { Coefficients = [], Sds = sds, Correlation = corr, Description = [] };
        }
        Prior? dispersion = null;
        if (dispersionName is not null)
        {
            var chosen = Last(statements, t => t.Kind == PriorTargetKind.Dispersion);
            dispersion = chosen ?? Prior.Exponential(1 / responseScale);
            lines.Add($"dispersion ({dispersionName}) ~ {dispersion}{(chosen is null ? " (default)" : "")}");
        }
        return (new PriorSet { Coefficients = coefficients, Sds = [], Dispersion = dispersion, Description = lines }, termSets);
    }

    private static Prior? Last(IReadOnlyList<PriorStatement> statements, Func<PriorTarget, bool> applies) =>
        statements.LastOrDefault(s => applies(s.Target))?.Prior;

    private static void CheckNames(PriorStatement s, string[] fixedNames, IReadOnlyList<PriorTerm> terms, string? dispersionName)
    {
        var t = s.Target;
        string where = $"--prior \"{s}\"";
        var factors = terms.Select(x => x.Factor).Distinct().ToArray();
        var ofFactor = terms.Where(x => x.Factor == t.Factor).ToArray();
        switch (t.Kind)
        {
            case PriorTargetKind.Coefficient when !fixedNames.Contains(t.Name):
                throw new GlmmException($"{where}: the model has no fixed effect '{t.Name}' (its coefficients: {string.Join(", ", fixedNames)})");
            case PriorTargetKind.FactorSd or PriorTargetKind.TermSd or PriorTargetKind.FactorCorr when ofFactor.Length == 0:
                throw new GlmmException($"{where}: the model has no grouping factor '{t.Factor}' (it has {string.Join(", ", factors)})");
            case PriorTargetKind.TermSd when !ofFactor.Any(x => x.TermNames.Contains(t.Name)):
                throw new GlmmException($"{where}: the random effects of {t.Factor} have no term '{t.Name}' (they have {string.Join(", ", ofFactor.SelectMany(x => x.TermNames))})");
            case PriorTargetKind.FactorCorr when !ofFactor.Any(x => x.Correlated):
            case PriorTargetKind.Corr when !terms.Any(x => x.Correlated):
                throw new GlmmException($"{where}: the model has no correlated random effects");
            case PriorTargetKind.Dispersion when dispersionName is null:
                throw new GlmmException($"{where}: this family has no dispersion parameter");
        }
    }
}

/// <summary>One random-effects term as the priors see it: its grouping factor, its effects' names, whether they are correlated.</summary>
public sealed record PriorTerm(string Factor, string[] TermNames, bool Correlated);

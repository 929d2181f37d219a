using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// The levels of every factor a fit's design uses (fixed terms and the terms of random effects, not the
/// grouping factors, whose levels are the random effects' own), as R keeps a model's <c>xlevels</c>: new
/// data must be coded with exactly these levels, in this order, to meet the fitted coefficients.
/// </summary>
internal static class FittedFactorLevels
{
    public static IReadOnlyDictionary<string, string[]> Collect(ModelRows rows, ModelFormula formula)
    {
        var levels = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var terms = formula.FixedTerms.Concat(formula.RandomTerms.SelectMany(r => r.Terms));
        foreach (var variable in terms.SelectMany(t => t.Variables))
            if (variable is ColumnExpression c && rows.IsFactor(c.Name) && !levels.ContainsKey(c.Name))
                levels.Add(c.Name, rows.Factor(c.Name).Levels);
        return levels;
    }
}

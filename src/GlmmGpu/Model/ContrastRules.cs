using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// Decides, as R's model.matrix does, whether each factor in each term is coded by treatment contrasts
/// (levels after the first) or by one indicator per level. A factor in a term is coded by contrasts when the
/// term without it is already spanned by the model: the empty term (the intercept), or a term before it that
/// holds all its other variables (Chambers and Hastie, Statistical Models in S, p. 38). Without an intercept,
/// the first factor of the first term that has one takes all its levels, so that the model spans the mean.
/// </summary>
internal static class ContrastRules
{
    /// <summary>For term t and variable v: true for full indicator coding, false for contrasts (numerics: false).</summary>
    public static bool[][] FullCoding(bool intercept, IReadOnlyList<Term> terms, Func<Expression, bool> isFactor)
    {
        var vars = terms.Select(t => t.Variables.Select(v => v.Text).ToHashSet(StringComparer.Ordinal)).ToArray();
        var full = new bool[terms.Count][];
        for (int t = 0; t < terms.Count; t++)
        {
            var variables = terms[t].Variables;
            full[t] = new bool[variables.Count];
            for (int v = 0; v < variables.Count; v++)
            {
                if (!isFactor(variables[v])) continue;
                var rest = vars[t].Where(x => x != variables[v].Text).ToHashSet(StringComparer.Ordinal);
                bool spanned = rest.Count == 0 || Enumerable.Range(0, t).Any(u => rest.IsSubsetOf(vars[u]));
                full[t][v] = !spanned;
            }
        }
        if (!intercept)
            MarkFirstFactorFull(terms, isFactor, full);
        return full;
    }

    private static void MarkFirstFactorFull(IReadOnlyList<Term> terms, Func<Expression, bool> isFactor, bool[][] full)
    {
        for (int t = 0; t < terms.Count; t++)
            for (int v = 0; v < terms[t].Variables.Count; v++)
                if (isFactor(terms[t].Variables[v]))
                {
                    full[t][v] = true;
                    return;
                }
    }
}

using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// Random terms on the same grouping factor form one random-effects block, as lme4 reads <c>(x || g)</c>: it is
/// <c>(1 | g) + (0 + x | g)</c>, one factor whose effects are uncorrelated. The block's covariance is block-diagonal
/// over its terms; the estimators hold a full or a diagonal covariance, so terms are combined when the result is
/// diagonal (each term a single effect, or uncorrelated itself), and a correlated term of several effects beside
/// another term on its factor is refused with the spellings that fit.
/// </summary>
internal static class RandomTermGroups
{
    /// <summary>The terms grouped by grouping factor, in the order each factor first appears.</summary>
    public static List<List<RandomTerm>> ByFactor(IReadOnlyList<RandomTerm> terms)
    {
        var groups = new List<List<RandomTerm>>();
        foreach (var term in terms)
        {
            var group = groups.Find(g => g[0].GroupingLabel == term.GroupingLabel);
            if (group is null) groups.Add(new List<RandomTerm> { term });
            else group.Add(term);
        }
        return groups;
    }

    /// <summary>
    /// The term a block of several terms stands for: <c>(1 + x + z || g)</c>. <paramref name="names"/> are each term's
    /// column names; an effect named twice, or a correlated term of several effects, is an error naming the terms.
    /// </summary>
    public static RandomTerm Combine(IReadOnlyList<RandomTerm> terms, IReadOnlyList<IReadOnlyList<string>> names)
    {
        if (terms.Count == 1) return terms[0];
        var combined = new RandomTerm(terms.Any(t => t.HasIntercept), terms.SelectMany(t => t.Terms).ToList(), terms[0].GroupingFactors, Correlated: false);
        string factor = combined.GroupingLabel;
        for (int t = 0; t < terms.Count; t++)
            if (terms[t].Correlated && names[t].Count > 1)
                throw new GlmmException(
                    $"the random terms {string.Join(" + ", terms)} share the grouping factor '{factor}', and {terms[t]} has {names[t].Count} " +
                    $"correlated effects: correlated groups beside other effects of the same factor are not supported; write " +
                    $"{combined with { Correlated = true }} for all effects correlated, or {combined} for none");
        var seen = new Dictionary<string, RandomTerm>(StringComparer.Ordinal);
        for (int t = 0; t < terms.Count; t++)
            foreach (var name in names[t])
                if (!seen.TryAdd(name, terms[t]))
                    throw new GlmmException(
                        $"the random terms {seen[name]} and {terms[t]} both give grouping factor '{factor}' the effect {name}: each effect may appear once per grouping factor");
        return combined;
    }
}

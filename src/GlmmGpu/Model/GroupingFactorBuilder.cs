using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// The grouping factor of a random term: a column (always a factor, whatever its type), or for <c>a:b</c>
/// the interaction of several, whose levels are the combinations that occur, spelled "lev_a:lev_b" and
/// ordered as R's <c>a:b</c> orders them (by a's level, then b's).
/// </summary>
internal static class GroupingFactorBuilder
{
    /// <param name="rows">The model's rows.</param>
    /// <param name="term">The random term whose grouping factor to build.</param>
    /// <param name="requireTwoLevels">
    /// A fit needs two or more levels to estimate a variance; prediction on new data may well hold one group.
    /// </param>
    public static Factor Build(ModelRows rows, RandomTerm term, bool requireTwoLevels = true)
    {
        var parts = term.GroupingFactors.Select(rows.Factor).ToArray();
        var factor = parts.Length == 1 ? parts[0] : Interaction(term.GroupingLabel, parts, rows.Count);
        if (requireTwoLevels && factor.LevelCount < 2)
            throw new GlmmException(
                $"grouping factor '{term.GroupingLabel}' has only {factor.LevelCount} level in the rows used: a random effect needs two or more");
        return new Factor(term.GroupingLabel, factor.Levels, factor.Codes);
    }

    private static Factor Interaction(string name, Factor[] parts, int n)
    {
        // Mixed-radix key per row: sorting the keys orders combinations by the first factor's level, then the next.
        var keys = new long[n];
        long radix = 1;
        for (int p = parts.Length - 1; p >= 0; p--)
        {
            var codes = parts[p].Codes;
            for (int i = 0; i < n; i++) keys[i] += codes[i] * radix;
            radix = checked(radix * parts[p].LevelCount);
        }
        var distinct = keys.Distinct().ToArray();
        Array.Sort(distinct);
        var codeOf = new Dictionary<long, int>(distinct.Length);
        for (int i = 0; i < distinct.Length; i++) codeOf[distinct[i]] = i;
        var rowCodes = new int[n];
        for (int i = 0; i < n; i++) rowCodes[i] = codeOf[keys[i]];
        var levels = distinct.Select(k => LevelName(k, parts)).ToArray();
        return new Factor(name, levels, rowCodes);
    }

    private static string LevelName(long key, Factor[] parts)
    {
        var names = new string[parts.Length];
        for (int p = parts.Length - 1; p >= 0; p--)
        {
            names[p] = parts[p].Levels[key % parts[p].LevelCount];
            key /= parts[p].LevelCount;
        }
        return string.Join(":", names);
    }
}

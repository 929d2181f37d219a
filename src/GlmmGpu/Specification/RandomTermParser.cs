namespace GlmmGpu.Specification;

/// <summary>
/// The part of <c>(terms | grouping)</c> from the bar on. The grouping is column names joined by ':'
/// (interaction) and '/' (nesting): <c>a/b</c> expands, as lme4 does, to one term grouped by a and one by a:b.
/// </summary>
internal static class RandomTermParser
{
    /// <summary>Called with the cursor on '|' or '||'; <paramref name="left"/> is what stood before it.</summary>
    public static TermSet Finish(TokenStream s, Token open, TermSet left)
    {
        var bar = s.Next();
        string text = s.Group(open);
        if (left.Random.Count > 0)
            throw s.Error($"a random-effects term inside another: '{text}'", left.Start);
        if (left.Offsets.Count > 0)
            throw s.Error($"offset() inside a random-effects term: '{text}'", left.Start);
        bool intercept = left.Intercept ?? true;
        if (!intercept && left.Terms.Count == 0)
            throw s.Error($"random-effects term '{text}' has neither an intercept nor a variable", left.Start);
        if (s.At(TokenKind.RightParen))
            throw s.Error($"empty grouping factor in '{text}'", s.Current.Start);

        var groupings = Groupings(s, text);
        if (!s.At(TokenKind.RightParen))
            throw NotAFactor(s, text);
        var close = s.Next();

        var terms = TermAlgebra.ByOrder(left.Terms);
        bool correlated = bar.Kind == TokenKind.Bar;
        var random = groupings.Select(g => new RandomTerm(intercept, terms, g, correlated)).ToList();
        return TermSet.Empty(open.Start) with { Random = random, End = close.End };
    }

    /// <summary><c>a:b/c</c> gives [a, b] and [a, b, c]: each '/' adds a level nested in the ones before.</summary>
    static List<IReadOnlyList<string>> Groupings(TokenStream s, string text)
    {
        var factors = Factors(s, text);
        var levels = new List<IReadOnlyList<string>> { factors };
        while (s.At(TokenKind.Slash))
        {
            s.Next();
            factors = factors.Concat(Factors(s, text)).Distinct().ToList();
            levels.Add(factors);
        }
        return levels;
    }

    static List<string> Factors(TokenStream s, string text)
    {
        var factors = new List<string> { Factor(s, text) };
        while (s.At(TokenKind.Colon))
        {
            s.Next();
            string factor = Factor(s, text);
            if (!factors.Contains(factor)) factors.Add(factor);
        }
        return factors;
    }

    static string Factor(TokenStream s, string text)
    {
        var token = s.Current;
        if (token.Kind != TokenKind.Name || s.Peek.Kind == TokenKind.LeftParen)
            throw NotAFactor(s, text);
        s.Next();
        return token.Name;
    }

    static FormulaException NotAFactor(TokenStream s, string text) =>
        s.Error($"the grouping factor must be column names joined by ':' or '/': '{s.Current.Text}' in '{text}'", s.Current.Start);
}

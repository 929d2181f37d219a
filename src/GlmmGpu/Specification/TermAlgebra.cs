namespace GlmmGpu.Specification;

/// <summary>
/// R's formula algebra on lists of terms (<c>terms.formula</c>): union without duplicates, removal,
/// interaction, crossing, nesting and powers. A term is identified by its set of variables, so <c>a:b</c> and
/// <c>b:a</c> are one term (the first spelling is kept) and <c>a:a</c> is <c>a</c>.
/// </summary>
internal static class TermAlgebra
{
    public static string Key(Term term) =>
        string.Join("\n", term.Variables.Select(v => v.Text).Distinct().Order(StringComparer.Ordinal));

    public static Term Single(Expression variable) => new(new[] { variable });

    /// <summary>The interaction of two terms: the variables of the first, then the new ones of the second.</summary>
    public static Term Combine(Term left, Term right)
    {
        var variables = new List<Expression>();
        foreach (var v in left.Variables.Concat(right.Variables))
            if (!variables.Exists(w => w.Text == v.Text))
                variables.Add(v);
        return new Term(variables);
    }

    public static List<Term> Union(IEnumerable<Term> left, IEnumerable<Term> right)
    {
        var seen = new HashSet<string>();
        var result = new List<Term>();
        foreach (var term in left.Concat(right))
            if (seen.Add(Key(term)))
                result.Add(term);
        return result;
    }

    public static List<Term> Minus(IEnumerable<Term> left, IEnumerable<Term> right)
    {
        var removed = right.Select(Key).ToHashSet();
        return left.Where(t => !removed.Contains(Key(t))).ToList();
    }

    /// <summary><c>(a + b):(c + d)</c> = a:c + a:d + b:c + b:d (left operand outer, as R's InteractTerms).</summary>
    public static List<Term> Interact(IReadOnlyList<Term> left, IReadOnlyList<Term> right) =>
        Union(left.SelectMany(l => right.Select(r => Combine(l, r))), Array.Empty<Term>());

    /// <summary><c>a*b</c> = a + b + a:b.</summary>
    public static List<Term> Cross(IReadOnlyList<Term> left, IReadOnlyList<Term> right) =>
        Union(Union(left, right), Interact(left, right));

    /// <summary><c>a/b</c> = a + a:b, where a:b interacts b with every variable of a (so (a + b)/c gives a:b:c).</summary>
    public static List<Term> Nest(IReadOnlyList<Term> outer, IReadOnlyList<Term> inner)
    {
        if (outer.Count == 0) return Union(outer, inner);
        var all = outer.Aggregate(Combine);
        return Union(outer, Interact(new[] { all }, inner));
    }

    /// <summary><c>(a + b + c)^n</c>: every interaction of up to n of the terms.</summary>
    public static List<Term> Power(IReadOnlyList<Term> terms, int n)
    {
        var result = Union(terms, Array.Empty<Term>());
        for (int i = 2; i <= n; i++)
        {
            int before = result.Count;
            result = Union(result, Interact(result, terms));
            if (result.Count == before) break; // no higher orders left: larger n changes nothing
        }
        return result;
    }

    /// <summary>R lists main effects first, then two-way interactions and so on; stable within an order.</summary>
    public static List<Term> ByOrder(IEnumerable<Term> terms) => terms.OrderBy(t => t.Order).ToList();
}

namespace GlmmGpu.Specification;

/// <summary>The left-hand side of a formula.</summary>
public abstract record ResponseSpec;

/// <summary><c>y ~ ...</c>: one expression (a column, or a proportion when weights are given).</summary>
public sealed record SingleResponse(Expression Value) : ResponseSpec;

/// <summary><c>cbind(successes, failures) ~ ...</c>: binomial counts; each side an expression.</summary>
public sealed record BinomialResponse(Expression Successes, Expression Failures) : ResponseSpec;

/// <summary>
/// One term of a model: the interaction of its variables (a single variable for a main effect).
/// A variable is a column or an expression such as <c>I(x^2)</c> or <c>log(x)</c>; its label is R's,
/// variables joined by ':' (e.g. <c>lbase:trt</c>).
/// </summary>
public sealed record Term(IReadOnlyList<Expression> Variables)
{
    public string Label => string.Join(":", Variables.Select(v => v.Text));
    public int Order => Variables.Count;
    public bool Equals(Term? other) => other is not null && Label == other.Label;
    public override int GetHashCode() => Label.GetHashCode();
    public override string ToString() => Label;
}

/// <summary>
/// <c>(1 + x | g)</c>: a random-effects term. <see cref="HasIntercept"/> and <see cref="Terms"/> give the
/// model matrix Z of the term (as a fixed part would); <see cref="GroupingFactors"/> are the factors whose
/// interaction forms the groups (<c>a:b</c> gives two entries). Nested <c>(1 | a/b)</c> is expanded by the
/// parser into two terms, <c>(1 | a)</c> and <c>(1 | a:b)</c>. <c>||</c> sets <see cref="Correlated"/> false.
/// </summary>
public sealed record RandomTerm(bool HasIntercept, IReadOnlyList<Term> Terms, IReadOnlyList<string> GroupingFactors, bool Correlated)
{
    public string GroupingLabel => string.Join(":", GroupingFactors);
    public override string ToString()
    {
        var parts = new List<string>();
        parts.Add(HasIntercept ? "1" : "0");
        parts.AddRange(Terms.Select(t => t.Label));
        return $"({string.Join(" + ", parts)} {(Correlated ? "|" : "||")} {GroupingLabel})";
    }
}

/// <summary>A parsed lme4 formula.</summary>
public sealed record ModelFormula(
    string Source,
    ResponseSpec Response,
    bool HasIntercept,
    IReadOnlyList<Term> FixedTerms,
    IReadOnlyList<Expression> Offsets,
    IReadOnlyList<RandomTerm> RandomTerms)
{
    /// <summary>Every column the formula reads (response, fixed, offsets, random terms and grouping factors).</summary>
    public IEnumerable<string> Columns()
    {
        IEnumerable<string> cols = Response switch
        {
            SingleResponse s => s.Value.Columns(),
            BinomialResponse b => b.Successes.Columns().Concat(b.Failures.Columns()),
            _ => Enumerable.Empty<string>(),
        };
        cols = cols.Concat(FixedTerms.SelectMany(t => t.Variables.SelectMany(v => v.Columns())));
        cols = cols.Concat(Offsets.SelectMany(o => o.Columns()));
        foreach (var r in RandomTerms)
            cols = cols.Concat(r.Terms.SelectMany(t => t.Variables.SelectMany(v => v.Columns()))).Concat(r.GroupingFactors);
        return cols.Distinct();
    }

    public override string ToString() => Source;
}

namespace GlmmGpu.Specification;

/// <summary>
/// The value of a piece of a model formula while it is being read: its terms, what it says about the intercept
/// (null when it does not mention one; true for <c>1</c>, false for <c>0</c> or <c>-1</c>), its offsets and
/// random-effects terms, and the source span it came from (for messages).
/// </summary>
internal sealed record TermSet(
    IReadOnlyList<Term> Terms,
    bool? Intercept,
    IReadOnlyList<Expression> Offsets,
    IReadOnlyList<RandomTerm> Random,
    int Start,
    int End)
{
    public static TermSet Empty(int at) => new(Array.Empty<Term>(), null, Array.Empty<Expression>(), Array.Empty<RandomTerm>(), at, at);

    public static TermSet Of(Term term, int start, int end) => Empty(start) with { Terms = new[] { term }, End = end };

    /// <summary>Only terms: no intercept mark, offset or random-effects term, as interactions require.</summary>
    public bool IsPlain => Intercept is null && Offsets.Count == 0 && Random.Count == 0;

    public TermSet Plus(TermSet other) => new(
        TermAlgebra.Union(Terms, other.Terms),
        other.Intercept ?? Intercept,
        Offsets.Concat(other.Offsets).ToList(),
        Random.Concat(other.Random).ToList(),
        Math.Min(Start, other.Start),
        Math.Max(End, other.End));

    /// <summary><c>- x</c> removes terms; <c>- 1</c> removes the intercept and <c>- 0</c> restores it.</summary>
    public TermSet Minus(TermSet other) => this with
    {
        Terms = TermAlgebra.Minus(Terms, other.Terms),
        Intercept = other.Intercept is bool removed ? !removed : Intercept,
        Start = Math.Min(Start, other.Start),
        End = Math.Max(End, other.End),
    };
}

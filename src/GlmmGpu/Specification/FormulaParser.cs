namespace GlmmGpu.Specification;

/// <summary>
/// Reads lme4 formula syntax into a <see cref="ModelFormula"/>:
/// <c>response ~ fixed terms + (random terms | grouping)</c>, with R's term algebra
/// (<c>a*b</c>, <c>a:b</c>, <c>(a + b)^2</c>, <c>- term</c>, <c>0</c>/<c>1</c>), <c>I()</c>, <c>log()</c>,
/// <c>exp()</c>, <c>sqrt()</c>, <c>offset()</c> and a <c>cbind(successes, failures)</c> response.
/// Every malformed formula raises a <see cref="FormulaException"/> naming the text at fault.
/// </summary>
public static class FormulaParser
{
    public static ModelFormula Parse(string formula)
    {
        ArgumentNullException.ThrowIfNull(formula);
        if (string.IsNullOrWhiteSpace(formula))
            throw new FormulaException("empty formula: write response ~ terms, e.g. y ~ x + (1 | g)", 1);
        var s = new TokenStream(formula);
        if (!s.Has(TokenKind.Tilde))
            throw s.Error("missing '~': write response ~ terms, e.g. y ~ x + (1 | g)", 0);
        if (s.At(TokenKind.Tilde))
            throw s.Error("missing response before '~'", s.Current.Start);

        var response = Response(s);
        if (s.Current.IsBar)
            throw OutsideParentheses(s);
        s.Expect(TokenKind.Tilde);
        if (s.At(TokenKind.End))
            throw s.Error("missing terms after '~' (write 1 for an intercept alone)", s.Current.Start);

        var rhs = TermParser.Sum(s);
        if (s.Current.IsBar)
            throw OutsideParentheses(s);
        if (s.At(TokenKind.Tilde))
            throw s.Error($"a second '~' {TokenStream.Where(formula, s.Current.Start)}: a formula has one", s.Current.Start);
        if (!s.At(TokenKind.End))
            throw s.Unexpected();

        return new ModelFormula(
            formula.Trim(), response, rhs.Intercept ?? true, TermAlgebra.ByOrder(rhs.Terms), rhs.Offsets, rhs.Random);
    }

    static ResponseSpec Response(TokenStream s)
    {
        if (s.Current.Name == "cbind" && s.Peek.Kind == TokenKind.LeftParen)
            return Binomial(s);
        return new SingleResponse(ExpressionParser.Parse(s, "response"));
    }

    /// <summary><c>cbind(successes, failures)</c>: exactly two expressions.</summary>
    static BinomialResponse Binomial(TokenStream s)
    {
        s.Next();
        var open = s.Next();
        string text = s.Group(open);
        if (s.At(TokenKind.RightParen))
            throw s.Error($"cbind() needs two arguments, successes and failures: '{text}'", s.Current.Start);
        var successes = ExpressionParser.Parse(s, "cbind");
        if (s.At(TokenKind.RightParen))
            throw s.Error($"cbind() needs two arguments, successes and failures: '{text}'", s.Current.Start);
        if (!s.At(TokenKind.Comma))
            ExpressionParser.Close(s, "cbind", open); // throws: explains a '|' or names the unexpected token
        s.Next();
        var failures = ExpressionParser.Parse(s, "cbind");
        if (s.At(TokenKind.Comma))
            throw s.Error($"cbind() needs two arguments, successes and failures, not more: '{text}'", s.Current.Start);
        ExpressionParser.Close(s, "cbind", open);
        return new BinomialResponse(successes, failures);
    }

    static FormulaException OutsideParentheses(TokenStream s) =>
        s.Error($"'{s.Current.Text}' outside parentheses {TokenStream.Where(s.Source, s.Current.Start)}: " +
                "write random-effects terms in parentheses, e.g. (1 | g)", s.Current.Start);
}

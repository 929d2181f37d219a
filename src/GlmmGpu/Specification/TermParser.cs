namespace GlmmGpu.Specification;

/// <summary>
/// The right-hand side of a formula (and the left side of '|' in a random-effects term): terms joined by
/// '+' and '-', with R's operator precedence '^' above ':' above '*' '/' above '+' '-'. Each construct is
/// evaluated as soon as it is read, into a <see cref="TermSet"/>.
/// </summary>
internal static class TermParser
{
    public static TermSet Sum(TokenStream s)
    {
        var result = TermSet.Empty(s.Current.Start);
        bool first = true;
        while (first || s.Current.IsSign)
        {
            // A summand is preceded by '+' or '-' (optional for the first) and any unary signs, as in x + -1.
            bool negative = false;
            var sign = s.Current;
            while (s.Current.IsSign)
                if (s.Next().Kind == TokenKind.Minus) negative = !negative;
            var operand = Product(s);
            if (negative)
            {
                if (operand.Random.Count > 0 || operand.Offsets.Count > 0)
                    throw s.Error($"'-' can remove only fixed terms or the intercept, not '{s.Text(operand.Start, operand.End)}'", sign.Start);
                result = result.Minus(operand);
            }
            else
            {
                result = result.Plus(operand);
            }
            first = false;
        }
        return result;
    }

    static TermSet Product(TokenStream s)
    {
        var left = Interaction(s);
        while (s.At(TokenKind.Star) || s.At(TokenKind.Slash))
        {
            var op = s.Next();
            var right = Interaction(s);
            RequirePlain(s, op, left, right);
            var terms = op.Kind == TokenKind.Star
                ? TermAlgebra.Cross(left.Terms, right.Terms)
                : TermAlgebra.Nest(left.Terms, right.Terms);
            left = TermSet.Empty(left.Start) with { Terms = terms, End = right.End };
        }
        return left;
    }

    static TermSet Interaction(TokenStream s)
    {
        var left = Power(s);
        while (s.At(TokenKind.Colon))
        {
            var op = s.Next();
            var right = Power(s);
            RequirePlain(s, op, left, right);
            left = TermSet.Empty(left.Start) with { Terms = TermAlgebra.Interact(left.Terms, right.Terms), End = right.End };
        }
        return left;
    }

    static TermSet Power(TokenStream s)
    {
        var basis = Atom(s);
        if (!s.At(TokenKind.Caret)) return basis;
        var op = s.Next();
        var exponent = s.Current;
        string text = s.Text(basis.Start, exponent.End);
        if (exponent.Kind != TokenKind.Number || exponent.Number < 1 || exponent.Number != Math.Floor(exponent.Number))
            throw s.Error($"'^' needs a whole number of at least 1 in '{text}' (for arithmetic write I(x^2))", exponent.Start);
        s.Next();
        RequirePlain(s, op, basis, basis);
        // Orders above the number of variables add nothing, so a cap keeps huge exponents cheap.
        int n = (int)Math.Min(exponent.Number, 1000);
        return TermSet.Empty(basis.Start) with { Terms = TermAlgebra.Power(basis.Terms, n), End = exponent.End };
    }

    static void RequirePlain(TokenStream s, Token op, TermSet left, TermSet right)
    {
        if (left.IsPlain && right.IsPlain) return;
        string text = s.Text(left.Start, right.End);
        string what = left.Random.Count + right.Random.Count > 0 ? "a random-effects term"
            : left.Offsets.Count + right.Offsets.Count > 0 ? "offset()"
            : "the intercept ('1' or '0')";
        throw s.Error($"{what} cannot be part of '{op.Text}' in '{text}'", op.Start);
    }

    static TermSet Atom(TokenStream s)
    {
        s.Enter();
        var token = s.Current;
        TermSet result;
        switch (token.Kind)
        {
            case TokenKind.Number:
                s.Next();
                if (token.Number is not (0 or 1))
                    throw s.Error($"a number cannot be a term: '{token.Text}' (only 1 or 0, for the intercept; write I({token.Text}))", token.Start);
                result = TermSet.Empty(token.Start) with { Intercept = token.Number == 1, End = token.End };
                break;
            case TokenKind.Name when s.Peek.Kind == TokenKind.LeftParen:
                result = Call(s);
                break;
            case TokenKind.Name:
                if (token.Text == ".")
                    throw s.Error("'.' (all other columns) is not supported: name the columns", token.Start);
                s.Next();
                result = TermSet.Of(TermAlgebra.Single(new ColumnExpression(token.Name)), token.Start, token.End);
                break;
            case TokenKind.LeftParen:
                result = Group(s);
                break;
            default:
                throw s.Unexpected();
        }
        s.Leave();
        return result;
    }

    /// <summary>A parenthesised group of terms, or a random-effects term if a '|' follows its first part.</summary>
    static TermSet Group(TokenStream s)
    {
        var open = s.Next();
        if (s.Current.IsBar)
            throw s.Error($"empty left side of '{s.Current.Text}' in '{s.Group(open)}': write (1 {s.Current.Text} ...)", s.Current.Start);
        var inner = Sum(s);
        if (s.Current.IsBar)
            return RandomTermParser.Finish(s, open, inner);
        var close = s.Expect(TokenKind.RightParen);
        return inner with { Start = open.Start, End = close.End };
    }

    static TermSet Call(TokenStream s)
    {
        var name = s.Current;
        string text = s.Group(s.Peek);
        if (name.Name == "offset")
        {
            var offset = ExpressionParser.Argument(s, "offset");
            return TermSet.Empty(name.Start) with { Offsets = new[] { offset }, End = s.Previous.End };
        }
        if (ExpressionParser.Functions.Contains(name.Name))
        {
            var call = new CallExpression(name.Name, ExpressionParser.Argument(s, name.Name));
            return TermSet.Of(TermAlgebra.Single(call), name.Start, s.Previous.End);
        }
        if (name.Name == "cbind")
            throw s.Error($"cbind() is allowed only as the response, left of '~': '{text}'", name.Start);
        throw s.Error($"unknown function '{name.Text}' in '{text}': use I(), log(), exp(), sqrt() or offset()", name.Start);
    }
}

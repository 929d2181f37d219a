namespace GlmmGpu.Specification;

/// <summary>
/// Arithmetic over columns, as written in the response, <c>cbind()</c>, <c>offset()</c> and the argument of
/// <c>I()</c>, <c>log()</c>, <c>exp()</c> and <c>sqrt()</c>. Precedence is R's: '^' (right-associative) above
/// unary minus above '*' '/' above '+' '-'; so <c>-x^2</c> is <c>-(x^2)</c>.
/// </summary>
internal static class ExpressionParser
{
    /// <summary>Functions that name a transformed variable; <c>I</c> is the identity.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string> { "I", "log", "exp", "sqrt" };

    /// <summary>
    /// Parses one expression and leaves the cursor on what follows it. <paramref name="context"/> names the
    /// enclosing construct ("I", "cbind", "response"...) for messages.
    /// </summary>
    public static Expression Parse(TokenStream s, string context)
    {
        var left = Product(s, context);
        while (s.Current.IsSign)
        {
            char op = s.Next().Text[0];
            left = new BinaryExpression(op, left, Product(s, context));
        }
        return left;
    }

    /// <summary>
    /// <c>name(argument)</c> for one of <see cref="Functions"/> or <c>offset</c>, with the cursor on the name.
    /// Returns the argument; the caller wraps it.
    /// </summary>
    public static Expression Argument(TokenStream s, string function)
    {
        var name = s.Next();
        var open = s.Expect(TokenKind.LeftParen);
        if (s.At(TokenKind.RightParen))
            throw s.Error($"{function}() needs an argument in '{s.Group(open)}'", name.Start);
        var argument = Parse(s, function);
        if (s.At(TokenKind.Comma))
            throw s.Error($"{function}() takes one argument in '{s.Group(open)}'", s.Current.Start);
        Close(s, function, open);
        return argument;
    }

    /// <summary>Consumes the ')' that matches <paramref name="open"/>, explaining a '|' found in its place.</summary>
    public static void Close(TokenStream s, string context, Token open)
    {
        if (s.Current.IsBar)
            throw s.Error($"a random-effects term inside {Describe(context)}: '{s.Group(open)}'", s.Current.Start);
        s.Expect(TokenKind.RightParen);
    }

    static string Describe(string context) => context == "response" ? "the response" : $"{context}()";

    static Expression Product(TokenStream s, string context)
    {
        var left = Unary(s, context);
        while (s.At(TokenKind.Star) || s.At(TokenKind.Slash))
        {
            char op = s.Next().Text[0];
            left = new BinaryExpression(op, left, Unary(s, context));
        }
        return left;
    }

    static Expression Unary(TokenStream s, string context)
    {
        s.Enter();
        Expression result;
        if (s.At(TokenKind.Minus))
        {
            s.Next();
            result = new NegateExpression(Unary(s, context));
        }
        else if (s.At(TokenKind.Plus))
        {
            s.Next(); // unary plus changes nothing and has no node of its own: drop it
            result = Unary(s, context);
        }
        else
        {
            result = Power(s, context);
        }
        s.Leave();
        return result;
    }

    static Expression Power(TokenStream s, string context)
    {
        var basis = Primary(s, context);
        if (!s.At(TokenKind.Caret)) return basis;
        s.Next();
        return new BinaryExpression('^', basis, Unary(s, context));
    }

    static Expression Primary(TokenStream s, string context)
    {
        var token = s.Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                s.Next();
                return new NumberExpression(token.Number);
            case TokenKind.Name when s.Peek.Kind == TokenKind.LeftParen:
                return Call(s, context);
            case TokenKind.Name:
                s.Next();
                return new ColumnExpression(token.Name);
            case TokenKind.LeftParen:
                s.Next();
                var inner = Parse(s, context);
                Close(s, context, token);
                return new ParenthesisExpression(inner);
            case TokenKind.Bar or TokenKind.DoubleBar when context != "response":
                throw s.Error($"a random-effects term inside {Describe(context)}", token.Start);
            default:
                throw s.Unexpected();
        }
    }

    static Expression Call(TokenStream s, string context)
    {
        var name = s.Current;
        if (Functions.Contains(name.Name))
            return new CallExpression(name.Name, Argument(s, name.Name));
        string text = s.Group(s.Peek);
        throw name.Name switch
        {
            "offset" => s.Error($"offset() must be a term of the model, not inside {Describe(context)}: '{text}'", name.Start),
            "cbind" when context == "response" => s.Error($"cbind() must be the whole response, not part of it: '{text}'", name.Start),
            "cbind" => s.Error($"cbind() must be the whole response, not inside {Describe(context)}: '{text}'", name.Start),
            _ => s.Error($"unknown function '{name.Text}' in '{text}': use log(), exp(), sqrt() or I()", name.Start),
        };
    }
}

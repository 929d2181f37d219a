namespace GlmmGpu.Specification;

/// <summary>
/// A cursor over the tokens of one formula, shared by the expression, term and random-term parsers. It checks
/// parentheses up front (so every later parser may assume they balance) and builds the error messages, which
/// quote the text at fault and give its 1-based position.
/// </summary>
internal sealed class TokenStream
{
    // Deeper nesting than this is not a real model; the limit keeps recursion far from the stack's end.
    const int MaxDepth = 200;
    const int MaxQuote = 40;

    readonly List<Token> _tokens;
    readonly Dictionary<int, int> _closeOf = new();
    int _index;
    int _depth;

    public string Source { get; }

    public TokenStream(string source)
    {
        Source = source;
        _tokens = FormulaLexer.Tokenize(source);
        MatchParentheses();
    }

    public Token Current => _tokens[_index];
    public Token Peek => _tokens[Math.Min(_index + 1, _tokens.Count - 1)];
    /// <summary>The token just consumed (the first token before anything is consumed).</summary>
    public Token Previous => _tokens[Math.Max(_index - 1, 0)];
    public bool Has(TokenKind kind) => _tokens.Exists(t => t.Kind == kind);
    public bool At(TokenKind kind) => Current.Kind == kind;

    public Token Next()
    {
        var token = Current;
        if (_index < _tokens.Count - 1) _index++;
        return token;
    }

    public Token Expect(TokenKind kind) => At(kind) ? Next() : throw Unexpected();

    /// <summary>
    /// The source text from the given '(' (through a function name just before it) to its matching ')', for
    /// messages such as "in '(1 | )'" or "in 'foo(x)'".
    /// </summary>
    public string Group(Token open)
    {
        int start = open.Start;
        int at = _tokens.FindIndex(t => t.Start == open.Start);
        if (at > 0 && _tokens[at - 1].Kind == TokenKind.Name) start = _tokens[at - 1].Start;
        return _closeOf.TryGetValue(open.Start, out int close) ? Source[start..(close + 1)] : Source[start..].Trim();
    }

    public string Text(int start, int end) => Source[start..Math.Clamp(end, start, Source.Length)].Trim();

    /// <summary>Guards one level of recursion; pair with <see cref="Leave"/>.</summary>
    public void Enter()
    {
        if (++_depth > MaxDepth)
            throw Error("the formula is nested too deeply", Current.Start);
    }

    public void Leave() => _depth--;

    public FormulaException Error(string message, int start) => new(message, start + 1);

    public FormulaException Unexpected()
    {
        var token = Current;
        return token.Kind == TokenKind.End
            ? Error($"unexpected end of formula {Where(Source, token.Start)}", token.Start)
            : Error($"unexpected '{token.Text}' {Where(Source, token.Start)}", token.Start);
    }

    /// <summary>"after 'the text before index'" (its last few characters), or "at the start".</summary>
    public static string Where(string source, int index)
    {
        string before = source[..Math.Min(index, source.Length)].Trim();
        if (before.Length == 0) return "at the start of the formula";
        if (before.Length > MaxQuote) before = "..." + before[^MaxQuote..];
        return $"after '{before}'";
    }

    void MatchParentheses()
    {
        var open = new Stack<Token>();
        foreach (var token in _tokens)
        {
            if (token.Kind == TokenKind.LeftParen)
            {
                open.Push(token);
                if (open.Count > MaxDepth)
                    throw Error("the formula is nested too deeply", token.Start);
            }
            else if (token.Kind == TokenKind.RightParen)
            {
                if (open.Count == 0)
                    throw Error($"unbalanced parenthesis: ')' {Where(Source, token.Start)} has no matching '('", token.Start);
                _closeOf[open.Pop().Start] = token.Start;
            }
        }
        if (open.Count > 0)
        {
            var unclosed = open.Pop();
            throw Error($"unbalanced parenthesis: '(' {Where(Source, unclosed.Start)} is never closed", unclosed.Start);
        }
    }
}

using System.Globalization;

namespace GlmmGpu.Specification;

/// <summary>Splits a formula into tokens; rejects characters that have no meaning in lme4 formula syntax.</summary>
internal static class FormulaLexer
{
    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            Token token;
            if (char.IsDigit(c) || (c == '.' && i + 1 < source.Length && char.IsDigit(source[i + 1])))
                token = ReadNumber(source, i);
            else if (IsNameStart(c))
                token = ReadName(source, i);
            else if (c == '`')
                token = ReadQuotedName(source, i);
            else if (c == '|' && i + 1 < source.Length && source[i + 1] == '|')
                token = new Token(TokenKind.DoubleBar, "||", i);
            else if (c == '%')
                throw Unsupported(source, i);
            else
                token = new Token(SymbolKind(source, i), c.ToString(), i);
            tokens.Add(token);
            i = token.End;
        }
        // The end token sits just after the last visible character, so "unexpected end" points there.
        tokens.Add(new Token(TokenKind.End, "", source.TrimEnd().Length));
        return tokens;
    }

    static bool IsNameStart(char c) => char.IsLetter(c) || c == '.' || c == '_';
    static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c == '.' || c == '_';

    static TokenKind SymbolKind(string source, int i) => source[i] switch
    {
        '+' => TokenKind.Plus,
        '-' => TokenKind.Minus,
        '*' => TokenKind.Star,
        '/' => TokenKind.Slash,
        '^' => TokenKind.Caret,
        ':' => TokenKind.Colon,
        '~' => TokenKind.Tilde,
        ',' => TokenKind.Comma,
        '(' => TokenKind.LeftParen,
        ')' => TokenKind.RightParen,
        '|' => TokenKind.Bar,
        _ => throw new FormulaException($"unexpected character '{source[i]}' {TokenStream.Where(source, i)}", i + 1),
    };

    static Token ReadName(string source, int start)
    {
        int i = start;
        while (i < source.Length && IsNamePart(source[i])) i++;
        string name = source[start..i];
        return new Token(TokenKind.Name, name, start, Name: name);
    }

    static Token ReadQuotedName(string source, int start)
    {
        int close = source.IndexOf('`', start + 1);
        if (close < 0)
            throw new FormulaException($"unterminated back-quoted name '{source[start..]}'", start + 1);
        if (close == start + 1)
            throw new FormulaException("empty back-quoted name ``", start + 1);
        return new Token(TokenKind.Name, source[start..(close + 1)], start, Name: source[(start + 1)..close]);
    }

    // R numerals: digits with an optional fraction and exponent (2, 0.5, .5, 1e-3).
    static Token ReadNumber(string source, int start)
    {
        int i = start;
        while (i < source.Length && char.IsDigit(source[i])) i++;
        if (i < source.Length && source[i] == '.')
        {
            i++;
            while (i < source.Length && char.IsDigit(source[i])) i++;
        }
        if (i < source.Length && (source[i] == 'e' || source[i] == 'E'))
        {
            int exponent = i + 1;
            if (exponent < source.Length && (source[exponent] == '+' || source[exponent] == '-')) exponent++;
            int digits = exponent;
            while (digits < source.Length && char.IsDigit(source[digits])) digits++;
            if (digits == exponent)
                throw new FormulaException($"malformed number '{source[start..Math.Min(digits, source.Length)]}'", start + 1);
            i = digits;
        }
        string text = source[start..i];
        double value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
            throw new FormulaException($"number '{text}' is out of range", start + 1);
        return new Token(TokenKind.Number, text, start, Number: value);
    }

    static FormulaException Unsupported(string source, int i)
    {
        int end = source.IndexOf('%', i + 1);
        string op = end < 0 ? source[i..] : source[i..(end + 1)];
        return new FormulaException($"operator '{op}' is not supported", i + 1);
    }
}

namespace GlmmGpu.Specification;

internal enum TokenKind
{
    Name, Number, Plus, Minus, Star, Slash, Caret, Colon, Tilde, Comma, LeftParen, RightParen, Bar, DoubleBar, End,
}

/// <summary>
/// One lexeme of a formula. <see cref="Start"/> is the 0-based index in the string given to the parser, so
/// errors can point at it; <see cref="Text"/> is the lexeme as written (for messages), <see cref="Name"/> the
/// column or function name with any back-quotes removed, <see cref="Number"/> the value of a numeral.
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Start, string Name = "", double Number = 0)
{
    public int End => Start + Text.Length;
    public bool IsBar => Kind is TokenKind.Bar or TokenKind.DoubleBar;
    public bool IsSign => Kind is TokenKind.Plus or TokenKind.Minus;
}

namespace GlmmGpu.Specification;

/// <summary>A formula that cannot be read: the message names the term and the 1-based character position.</summary>
public sealed class FormulaException : GlmmException
{
    public int Position { get; }
    public FormulaException(string message, int position)
        : base($"formula error at position {position}: {message}") => Position = position;
}

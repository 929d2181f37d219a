namespace GlmmGpu.Specification;

/// <summary>
/// An arithmetic expression over data columns, as written inside <c>cbind()</c>, <c>I()</c>,
/// <c>offset()</c>, <c>log()</c> and friends. <see cref="Text"/> is the canonical R spelling used for
/// coefficient names (R deparses <c>I(x^2)</c> back to <c>I(x^2)</c>, <c>log(x)</c> to <c>log(x)</c>).
/// </summary>
public abstract record Expression
{
    /// <summary>The expression spelled as R deparses it (used in coefficient names).</summary>
    public abstract string Text { get; }

    /// <summary>Every column the expression reads, in order of first appearance.</summary>
    public IEnumerable<string> Columns() => CollectColumns().Distinct();

    internal abstract IEnumerable<string> CollectColumns();
}

/// <summary>A data column by name (names may contain '.' and '_', or be back-quoted).</summary>
public sealed record ColumnExpression(string Name) : Expression
{
    public override string Text => Name;
    internal override IEnumerable<string> CollectColumns() { yield return Name; }
}

public sealed record NumberExpression(double Value) : Expression
{
    public override string Text => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    internal override IEnumerable<string> CollectColumns() { yield break; }
}

/// <summary>Binary arithmetic: one of + - * / ^.</summary>
public sealed record BinaryExpression(char Operator, Expression Left, Expression Right) : Expression
{
    // R deparses binary + - * / with spaces and ^ without: I(x^2), size - incidence.
    public override string Text => Operator == '^'
        ? $"{Left.Text}^{Right.Text}"
        : $"{Left.Text} {Operator} {Right.Text}";
    internal override IEnumerable<string> CollectColumns() => Left.CollectColumns().Concat(Right.CollectColumns());
}

public sealed record NegateExpression(Expression Operand) : Expression
{
    public override string Text => $"-{Operand.Text}";
    internal override IEnumerable<string> CollectColumns() => Operand.CollectColumns();
}

/// <summary>A parenthesised sub-expression, kept so that names deparse as the user wrote them.</summary>
public sealed record ParenthesisExpression(Expression Inner) : Expression
{
    public override string Text => $"({Inner.Text})";
    internal override IEnumerable<string> CollectColumns() => Inner.CollectColumns();
}

/// <summary>A function call: log, exp, sqrt (and I, which is the identity but names the term).</summary>
public sealed record CallExpression(string Function, Expression Argument) : Expression
{
    public override string Text => $"{Function}({Argument.Text})";
    internal override IEnumerable<string> CollectColumns() => Argument.CollectColumns();
}

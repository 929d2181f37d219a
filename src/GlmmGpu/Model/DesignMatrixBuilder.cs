using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>One column of a design matrix, with the name R's model.matrix gives it.</summary>
internal sealed record DesignColumn(string Name, double[] Values);

/// <summary>
/// Builds a model matrix from an intercept flag and terms, as R's model.matrix: <c>(Intercept)</c> first, then
/// each term's columns in formula order. A numeric variable gives one column named by its expression
/// (<c>x</c>, <c>I(x^2)</c>, <c>log(x)</c>); a factor gives indicator columns named variable + level
/// (<c>period2</c>). An interaction multiplies its variables' columns, the first variable varying fastest,
/// names joined by ':' (<c>a2:b2</c>, <c>lbase:trtdrug</c>). Used for both X and each random term's Z.
/// </summary>
internal static class DesignMatrixBuilder
{
    public static List<DesignColumn> Build(ModelRows rows, bool intercept, IReadOnlyList<Term> terms)
    {
        var columns = new List<DesignColumn>();
        if (intercept)
        {
            var ones = new double[rows.Count];
            Array.Fill(ones, 1.0);
            columns.Add(new DesignColumn("(Intercept)", ones));
        }
        var full = ContrastRules.FullCoding(intercept, terms, v => IsFactor(rows, v));
        for (int t = 0; t < terms.Count; t++)
        {
            List<DesignColumn>? product = null;
            for (int v = 0; v < terms[t].Variables.Count; v++)
            {
                var next = VariableColumns(rows, terms[t].Variables[v], full[t][v], terms[t].Label);
                product = product is null ? next : Multiply(product, next);
            }
            if (product is not null) columns.AddRange(product);
        }
        return columns;
    }

    /// <summary>
    /// How many columns <see cref="Build"/> would give each term, without building them: <c>(Intercept)</c> first when
    /// there is one, then each term by its label. A factor that cannot be coded counts no columns (Build says why).
    /// </summary>
    public static List<(string Term, long Columns)> Plan(ModelRows rows, bool intercept, IReadOnlyList<Term> terms)
    {
        var plan = new List<(string, long)>();
        if (intercept) plan.Add(("(Intercept)", 1));
        var full = ContrastRules.FullCoding(intercept, terms, v => IsFactor(rows, v));
        for (int t = 0; t < terms.Count; t++)
        {
            long width = 1;
            for (int v = 0; v < terms[t].Variables.Count; v++)
            {
                var variable = terms[t].Variables[v];
                // Saturating: an interaction of large factors must not overflow into a small count.
                long columns = IsFactor(rows, variable) ? Math.Max(0, rows.Factor(((ColumnExpression)variable).Name).LevelCount - FirstLevel(full[t][v])) : 1;
                width = columns == 0 ? 0 : Math.Min(width, long.MaxValue / columns) * columns;
            }
            plan.Add((terms[t].Label, width));
        }
        return plan;
    }

    /// <summary>The first level with a column of its own: 0 for full indicator coding, 1 for treatment contrasts.</summary>
    private static int FirstLevel(bool fullCoding) => fullCoding ? 0 : 1;

    /// <summary>A variable is a factor when it is a bare column that is a factor (text, declared one, or one the fit coded as one).</summary>
    public static bool IsFactor(ModelRows rows, Expression variable) =>
        variable is ColumnExpression c && rows.IsFactor(c.Name);

    private static List<DesignColumn> VariableColumns(ModelRows rows, Expression variable, bool fullCoding, string term)
    {
        if (!IsFactor(rows, variable))
            return new List<DesignColumn> { new(variable.Text, rows.Numbers(variable, term)) };
        var factor = rows.Factor(((ColumnExpression)variable).Name);
        if (!fullCoding && factor.LevelCount < 2)
            throw new GlmmException(
                $"factor '{factor.Name}' in term '{term}' has only {factor.LevelCount} level in the rows used: contrasts need two or more");
        var columns = new List<DesignColumn>();
        for (int level = FirstLevel(fullCoding); level < factor.LevelCount; level++)
        {
            var x = new double[rows.Count];
            var codes = factor.Codes;
            for (int i = 0; i < x.Length; i++) x[i] = codes[i] == level ? 1.0 : 0.0;
            columns.Add(new DesignColumn(factor.Name + factor.Levels[level], x));
        }
        return columns;
    }

    // Columns of the interaction: the left (earlier) variable's columns vary fastest.
    private static List<DesignColumn> Multiply(List<DesignColumn> left, List<DesignColumn> right)
    {
        var result = new List<DesignColumn>(left.Count * right.Count);
        foreach (var r in right)
            foreach (var l in left)
            {
                var x = new double[l.Values.Length];
                for (int i = 0; i < x.Length; i++) x[i] = l.Values[i] * r.Values[i];
                result.Add(new DesignColumn(l.Name + ":" + r.Name, x));
            }
        return result;
    }
}

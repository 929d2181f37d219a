using GlmmGpu.Data;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// Evaluates an arithmetic <see cref="Expression"/> over the model's rows, a whole column at a time. Only
/// numeric columns may take part: a factor has no numbers to compute with. A result that is not finite
/// (the log of a negative number) is an error naming the row and the term, and so is a value so large that its
/// square overflows the model's sums of squares and cross-products.
/// </summary>
internal static class ExpressionEvaluator
{
    /// <summary>Magnitudes above this overflow a cross-product over many rows (1e150 squared is 1e300).</summary>
    public const double LargestMagnitude = 1e150;

    public static double[] Evaluate(ModelRows rows, Expression expression, string term)
    {
        var result = Compute(rows, expression, term);
        for (int i = 0; i < result.Length; i++)
        {
            if (!double.IsFinite(result[i]))
            {
                int bad = rows.FirstInSourceOrder(result, v => !double.IsFinite(v));
                throw new GlmmException(
                    $"term '{term}' is {Describe(result[bad])} at row {rows.SourceRow[bad] + 1}: '{expression.Text}' must be finite on every row");
            }
        }
        RefuseOverflowing(rows, result, expression, term);
        return result;
    }

    private static void RefuseOverflowing(ModelRows rows, double[] result, Expression expression, string term)
    {
        for (int i = 0; i < result.Length; i++)
        {
            if (Math.Abs(result[i]) <= LargestMagnitude) continue;
            int bad = rows.FirstInSourceOrder(result, v => Math.Abs(v) > LargestMagnitude);
            throw new GlmmException(
                $"term '{term}' is {result[bad]:G6} at row {rows.SourceRow[bad] + 1}: values beyond ±1e150 overflow the model's " +
                $"sums of squares; rescale '{expression.Text}' (divide it by a power of ten)");
        }
    }

    private static string Describe(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";

    private static double[] Compute(ModelRows rows, Expression e, string term) => e switch
    {
        ColumnExpression c => ColumnValues(rows, c.Name, term),
        NumberExpression n => Fill(rows.Count, n.Value),
        ParenthesisExpression p => Compute(rows, p.Inner, term),
        NegateExpression m => Map(Compute(rows, m.Operand, term), v => -v),
        BinaryExpression b => Binary(b.Operator, Compute(rows, b.Left, term), Compute(rows, b.Right, term), term),
        CallExpression f => Call(f, Compute(rows, f.Argument, term), term),
        _ => throw new GlmmException($"term '{term}': cannot evaluate '{e.Text}'"),
    };

    private static double[] ColumnValues(ModelRows rows, string name, string term)
    {
        if (rows.IsFactor(name))
            throw new GlmmException($"column '{name}' is a factor and cannot be used in arithmetic in term '{term}'");
        // Only reachable for prediction: new data may hold text where the fit had numbers.
        if (rows.Data[name] is not NumericColumn numeric)
            throw new GlmmException($"column '{name}' holds text, but the model uses it as a number in term '{term}'" +
                (rows.Data[name] is StringColumn { NonNumeric: { } cells } ? $" ({cells.FirstCell})" : ""));
        var values = numeric.Values;
        var source = rows.SourceRow;
        var result = new double[source.Length];
        for (int i = 0; i < result.Length; i++) result[i] = values[source[i]];
        return result;
    }

    private static double[] Fill(int n, double value)
    {
        var result = new double[n];
        Array.Fill(result, value);
        return result;
    }

    private static double[] Map(double[] x, Func<double, double> f)
    {
        for (int i = 0; i < x.Length; i++) x[i] = f(x[i]);
        return x;
    }

    // Results overwrite the left operand: every array here is a fresh temporary.
    private static double[] Binary(char op, double[] a, double[] b, string term)
    {
        switch (op)
        {
            case '+': for (int i = 0; i < a.Length; i++) a[i] += b[i]; break;
            case '-': for (int i = 0; i < a.Length; i++) a[i] -= b[i]; break;
            case '*': for (int i = 0; i < a.Length; i++) a[i] *= b[i]; break;
            case '/': for (int i = 0; i < a.Length; i++) a[i] /= b[i]; break;
            case '^': for (int i = 0; i < a.Length; i++) a[i] = Math.Pow(a[i], b[i]); break;
            default: throw new GlmmException($"term '{term}': unknown operator '{op}'");
        }
        return a;
    }

    private static double[] Call(CallExpression call, double[] x, string term) => call.Function switch
    {
        "I" => x,
        "log" => Map(x, Math.Log),
        "exp" => Map(x, Math.Exp),
        "sqrt" => Map(x, Math.Sqrt),
        _ => throw new GlmmException($"term '{term}': unsupported function '{call.Function}' (use I, log, exp or sqrt)"),
    };
}

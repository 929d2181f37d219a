using GlmmGpu.Data;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// The rows of a model frame (complete rows, in frame order) over the source data, with the factors and
/// evaluated expressions computed on them so far: a variable used by several terms is computed once.
/// </summary>
internal sealed class ModelRows
{
    private readonly Dictionary<string, Factor> factors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> numbers = new(StringComparer.Ordinal);

    public ModelRows(DataTable data, int[] sourceRow)
    {
        Data = data;
        SourceRow = sourceRow;
    }

    public DataTable Data { get; }
    /// <summary>The 0-based source row of each frame row.</summary>
    public int[] SourceRow { get; }
    public int Count => SourceRow.Length;

    /// <summary>The column as a factor over these rows.</summary>
    public Factor Factor(string column)
    {
        if (!factors.TryGetValue(column, out var f))
            factors[column] = f = Model.Factor.FromColumn(Data[column], SourceRow);
        return f;
    }

    /// <summary>The expression's values on these rows; <paramref name="term"/> names it in errors.</summary>
    public double[] Numbers(Expression expression, string term)
    {
        if (!numbers.TryGetValue(expression.Text, out var v))
            numbers[expression.Text] = v = ExpressionEvaluator.Evaluate(this, expression, term);
        return v;
    }

    /// <summary>These rows in a new order (<paramref name="order"/>[i] = old index of new row i).</summary>
    public ModelRows Reorder(int[] order)
    {
        var source = new int[order.Length];
        for (int i = 0; i < order.Length; i++) source[i] = SourceRow[order[i]];
        return new ModelRows(Data, source);
    }

    /// <summary>
    /// The frame row, among those where <paramref name="bad"/> holds, that comes first in the source data
    /// (-1 if none): errors name the first bad data row however the frame is sorted.
    /// </summary>
    public int FirstInSourceOrder(double[] values, Func<double, bool> bad)
    {
        int first = -1;
        for (int i = 0; i < values.Length; i++)
            if (bad(values[i]) && (first < 0 || SourceRow[i] < SourceRow[first]))
                first = i;
        return first;
    }
}

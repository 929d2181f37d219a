using GlmmGpu.Data;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// The rows of a model frame (complete rows, in frame order) over the source data, with the factors and
/// evaluated expressions computed on them so far: a variable used by several terms is computed once.
/// With <see cref="TrainingLevels"/> (a frame for prediction) the fit decides which columns are factors and
/// codes them with its levels, so that new data get the fit's design columns whatever levels they hold.
/// </summary>
internal sealed class ModelRows
{
    private readonly Dictionary<string, Factor> factors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> numbers = new(StringComparer.Ordinal);

    public ModelRows(DataTable data, int[] sourceRow, IReadOnlyDictionary<string, string[]>? trainingLevels = null)
    {
        Data = data;
        SourceRow = sourceRow;
        TrainingLevels = trainingLevels;
    }

    public DataTable Data { get; }
    /// <summary>The 0-based source row of each frame row.</summary>
    public int[] SourceRow { get; }
    public int Count => SourceRow.Length;
    /// <summary>The levels a fit coded its factors with, when these rows are new data to predict on; else null.</summary>
    public IReadOnlyDictionary<string, string[]>? TrainingLevels { get; }

    /// <summary>
    /// Whether a model variable that is this bare column is a factor: a text column or one declared a factor,
    /// or, for prediction, a column the fit coded as a factor.
    /// </summary>
    public bool IsFactor(string column) => TrainingLevels is null ? Data.IsFactor(column) : TrainingLevels.ContainsKey(column);

    /// <summary>The column as a factor over these rows (with the fit's levels when it has them).</summary>
    public Factor Factor(string column)
    {
        if (!factors.TryGetValue(column, out var f))
        {
            factors[column] = f = TrainingLevels is not null && TrainingLevels.TryGetValue(column, out var levels)
                ? Model.Factor.WithLevels(Data[column], SourceRow, levels)
                : Model.Factor.FromColumn(Data[column], SourceRow);
        }
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
        return new ModelRows(Data, source, TrainingLevels);
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

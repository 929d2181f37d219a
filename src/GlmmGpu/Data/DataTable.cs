namespace GlmmGpu.Data;

/// <summary>A column of a data table: numbers (NaN marks missing) or strings (null marks missing).</summary>
public abstract class DataColumn
{
    public string Name { get; }
    protected DataColumn(string name) => Name = name;
    public abstract int Length { get; }
    public abstract bool IsMissing(int row);
}

/// <summary>Numbers stored contiguously; a missing value (empty CSV field, NA) is NaN.</summary>
public sealed class NumericColumn : DataColumn
{
    public double[] Values { get; }
    /// <summary>True where the source held an explicit NaN/Inf that is not a missing value (an error when used).</summary>
    public bool[]? NonFinite { get; }
    public NumericColumn(string name, double[] values, bool[]? nonFinite = null) : base(name)
    {
        Values = values;
        NonFinite = nonFinite;
    }
    public override int Length => Values.Length;
    public override bool IsMissing(int row) => double.IsNaN(Values[row]) && (NonFinite is null || !NonFinite[row]);
}

/// <summary>
/// Strings (a factor when used in a model); null is missing. A column read from CSV whose values are mostly numbers
/// carries the cells that are not (<see cref="NonNumeric"/>): a model cannot tell whether it is meant as numbers or as
/// a factor, so using it is an error until it is declared a factor.
/// </summary>
public sealed class StringColumn : DataColumn
{
    public string?[] Values { get; }
    /// <summary>The cells that keep a column of mostly numbers from being numeric; null for a column of text.</summary>
    public NonNumericCells? NonNumeric { get; }
    public StringColumn(string name, string?[] values, NonNumericCells? nonNumeric = null) : base(name)
    {
        Values = values;
        NonNumeric = nonNumeric;
    }
    public override int Length => Values.Length;
    public override bool IsMissing(int row) => Values[row] is null;
}

/// <summary>
/// In-memory data in columns (structure of arrays). Built by <see cref="CsvLoader"/> or directly
/// through the API from arrays. <see cref="FactorColumns"/> names numeric columns to treat as factors.
/// </summary>
public sealed class DataTable
{
    private readonly Dictionary<string, DataColumn> byName;
    public IReadOnlyList<DataColumn> Columns { get; }
    public int RowCount { get; }
    public ISet<string> FactorColumns { get; } = new HashSet<string>(StringComparer.Ordinal);

    public DataTable(IEnumerable<DataColumn> columns)
    {
        Columns = columns.ToList();
        byName = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        foreach (var c in Columns)
        {
            if (!byName.TryAdd(c.Name, c))
                throw new GlmmException($"column '{c.Name}' appears twice in the data");
        }
        RowCount = Columns.Count == 0 ? 0 : Columns[0].Length;
        foreach (var c in Columns)
            if (c.Length != RowCount)
                throw new GlmmException($"column '{c.Name}' has {c.Length} rows, but '{Columns[0].Name}' has {RowCount}");
    }

    public static DataTable FromColumns(params (string Name, object Values)[] columns) =>
        new(columns.Select(c => c.Values switch
        {
            double[] d => (DataColumn)new NumericColumn(c.Name, d),
            int[] i => new NumericColumn(c.Name, i.Select(v => (double)v).ToArray()),
            string?[] s => new StringColumn(c.Name, s),
            _ => throw new GlmmException($"column '{c.Name}': values must be double[], int[] or string[]"),
        }));

    public bool Contains(string name) => byName.ContainsKey(name);

    public DataColumn this[string name] => byName.TryGetValue(name, out var c)
        ? c
        : throw new GlmmException($"unknown column '{name}': the data has {string.Join(", ", Columns.Select(x => x.Name))}");

    /// <summary>Declare numeric columns as factors (R's factor()); returns this table.</summary>
    public DataTable WithFactors(params string[] names)
    {
        foreach (var n in names)
        {
            _ = this[n];
            FactorColumns.Add(n);
        }
        return this;
    }

    /// <summary>
    /// Whether a model takes the column as a factor: a text column, or one declared a factor. A text column of mostly
    /// numbers (<see cref="StringColumn.NonNumeric"/>) that is not declared a factor is an error naming its first cell
    /// that is not a number: as a factor it would fit a different model from the one meant, silently.
    /// </summary>
    public bool IsFactor(string name)
    {
        var column = this[name];
        if (FactorColumns.Contains(name)) return true;
        if (column is not StringColumn text) return false;
        if (text.NonNumeric is { } cells) throw new GlmmException(cells.Describe(name));
        return true;
    }

    /// <summary>The first <paramref name="rows"/> rows (all of them if there are fewer), as R's head(); factor declarations kept.</summary>
    public DataTable Head(int rows)
    {
        int n = Math.Clamp(rows, 0, RowCount);
        var head = new DataTable(Columns.Select(c => c switch
        {
            NumericColumn x => (DataColumn)new NumericColumn(x.Name, x.Values[..n], x.NonFinite?[..n]),
            StringColumn x => new StringColumn(x.Name, x.Values[..n], x.NonNumeric),
            _ => throw new InvalidOperationException($"column '{c.Name}' is of an unknown kind"),
        }));
        head.FactorColumns.UnionWith(FactorColumns);
        return head;
    }
}

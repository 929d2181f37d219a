namespace GlmmGpu.Data.Csv;

/// <summary>
/// Collects one column while the file streams by: numbers go straight into a double array; the first
/// non-number turns the column into text. A column that already held numbers when text appeared is marked
/// <see cref="NeedsTextPass"/>: its earlier fields must be re-read as written ("1.50" stays "1.50"), which a
/// second pass over the file does for those columns alone.
/// </summary>
internal sealed class CsvColumnBuilder
{
    private double[] numbers;
    private bool[]? nonFinite;
    private string?[]? strings;
    private StringPool? pool;
    private bool sawValue;
    private int count;

    public CsvColumnBuilder(string name, int field, int capacity)
    {
        Name = name;
        Field = field;
        numbers = new double[capacity];
    }

    public string Name { get; }
    /// <summary>Index of the column's field in a record.</summary>
    public int Field { get; }
    public bool IsText => strings is not null;
    public bool NeedsTextPass { get; private set; }

    public void Add(ReadOnlySpan<char> field)
    {
        if (NeedsTextPass) return;
        if (strings is not null)
        {
            AddText(field);
            return;
        }
        var kind = CsvField.Parse(field, out double v);
        if (kind == FieldKind.Text)
        {
            if (sawValue)
            {
                NeedsTextPass = true;
                numbers = Array.Empty<double>();
                nonFinite = null;
                return;
            }
            // Only missing values so far: they are missing (null) as text too, so switch in place.
            StartText(Math.Max(numbers.Length, count + 1));
            numbers = Array.Empty<double>();
            AddText(field);
            return;
        }
        if (count == numbers.Length) Array.Resize(ref numbers, Grow(count));
        numbers[count] = v;
        if (kind == FieldKind.NonFinite)
        {
            nonFinite ??= new bool[numbers.Length];
            if (nonFinite.Length < numbers.Length) Array.Resize(ref nonFinite, numbers.Length);
            nonFinite[count] = true;
        }
        if (kind != FieldKind.Missing) sawValue = true;
        count++;
    }

    private void StartText(int capacity)
    {
        strings = new string?[Math.Max(capacity, 16)];
        pool = new StringPool();
    }

    private void AddText(ReadOnlySpan<char> field)
    {
        if (count == strings!.Length) Array.Resize(ref strings, Grow(count));
        strings[count++] = CsvField.IsMissing(field) ? null : pool!.Get(field);
    }

    /// <summary>Turns a column that met text after numbers into a text column, for the second pass.</summary>
    public void RestartAsText(int capacity)
    {
        NeedsTextPass = false;
        numbers = Array.Empty<double>();
        count = 0;
        StartText(capacity);
    }

    public DataColumn Build(int rows)
    {
        if (count != rows) throw new InvalidOperationException($"column '{Name}' holds {count} values for {rows} rows");
        if (strings is not null)
        {
            Array.Resize(ref strings, rows);
            return new StringColumn(Name, strings);
        }
        Array.Resize(ref numbers, rows);
        if (nonFinite is not null) Array.Resize(ref nonFinite, rows);
        return new NumericColumn(Name, numbers, nonFinite);
    }

    private static int Grow(int n) => (int)Math.Min(Array.MaxLength, Math.Max(16, (long)n * 2));
}

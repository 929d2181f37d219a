namespace GlmmGpu.Data.Csv;

/// <summary>
/// Collects one column while the file streams by: numbers go straight into a double array; the first
/// non-number turns the column into text. A column that already held numbers when text appeared is marked
/// <see cref="NeedsTextPass"/>: its earlier fields must be re-read as written ("1.50" stays "1.50"), which a
/// second pass over the file does for those columns alone. A builder for one part of a file parsed in parts writes
/// its numbers into its own window of an array that the parts share (<see cref="ForWindow"/>), so that no part's
/// numbers are copied into the whole column afterwards.
/// </summary>
internal sealed class CsvColumnBuilder
{
    private double[] numbers;
    // Where this builder's values start in numbers, and how many fit before it must grow (a window cannot).
    private readonly int offset;
    private int limit;
    private readonly bool window;
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
        limit = capacity;
    }

    private CsvColumnBuilder(string name, int field, double[] shared, int offset, int capacity)
    {
        Name = name;
        Field = field;
        numbers = shared;
        this.offset = offset;
        limit = capacity;
        window = true;
    }

    /// <summary>A builder whose numbers go to shared[offset, offset + capacity); it holds at most capacity values.</summary>
    public static CsvColumnBuilder ForWindow(string name, int field, double[] shared, int offset, int capacity) =>
        new(name, field, shared, offset, capacity);

    public string Name { get; }
    /// <summary>Index of the column's field in a record.</summary>
    public int Field { get; }
    public bool IsText => strings is not null;
    public bool NeedsTextPass { get; private set; }
    /// <summary>The values added so far.</summary>
    public int Count => count;
    /// <summary>Which of the values added are NaN or infinite as written (null: none), indexed from this builder's first value.</summary>
    public bool[]? NonFiniteFlags => nonFinite;
    /// <summary>A text column's values so far (the array may be longer than <see cref="Count"/>).</summary>
    public string?[]? Strings => strings;
    /// <summary>A text column's distinct values so far.</summary>
    public IReadOnlyCollection<string>? Levels => pool?.Values;

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
            StartText(Math.Max(limit, count + 1));
            numbers = Array.Empty<double>();
            AddText(field);
            return;
        }
        if (count == limit) GrowNumbers();
        numbers[offset + count] = v;
        if (kind == FieldKind.NonFinite)
        {
            nonFinite ??= new bool[limit];
            if (nonFinite.Length < limit) Array.Resize(ref nonFinite, limit);
            nonFinite[count] = true;
        }
        if (kind != FieldKind.Missing) sawValue = true;
        count++;
    }

    private void GrowNumbers()
    {
        // The reader stops a part at its line count, so a window filling up is a bug, not bad input.
        if (window) throw new InvalidOperationException($"column '{Name}' overflowed its part of the file");
        limit = Grow(count);
        Array.Resize(ref numbers, limit);
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
        limit = 0;
        count = 0;
        StartText(capacity);
    }

    /// <param name="rows">The rows read.</param>
    /// <param name="findNonNumeric">Whether a text column of mostly numbers is marked (<see cref="StringColumn.NonNumeric"/>):
    /// not for a column the file quotes, which R's convention makes a factor.</param>
    public DataColumn Build(int rows, bool findNonNumeric)
    {
        if (window) throw new InvalidOperationException($"column '{Name}' is one part of a file: its parts are joined, not built");
        if (count != rows) throw new InvalidOperationException($"column '{Name}' holds {count} values for {rows} rows");
        if (strings is not null)
        {
            Array.Resize(ref strings, rows);
            return new StringColumn(Name, strings, findNonNumeric ? TextValues.FindNonNumeric(strings, rows, [pool!.Values]) : null);
        }
        Array.Resize(ref numbers, rows);
        if (nonFinite is not null) Array.Resize(ref nonFinite, rows);
        return new NumericColumn(Name, numbers, nonFinite);
    }

    private static int Grow(int n) => (int)Math.Min(Array.MaxLength, Math.Max(16, (long)n * 2));
}

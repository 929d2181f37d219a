using GlmmGpu.Data.Csv;
using Sylvan.Data.Csv;

namespace GlmmGpu.Data;

/// <summary>Options for reading data: CSV (<see cref="CsvLoader"/>) and Parquet (<see cref="ParquetLoader"/>) alike.</summary>
public sealed record CsvOptions
{
    /// <summary>Numeric columns to treat as factors.</summary>
    public IReadOnlyCollection<string> Factors { get; init; } = Array.Empty<string>();
    /// <summary>Read only these columns (null: all). Saves memory on wide files.</summary>
    public IReadOnlyCollection<string>? Columns { get; init; }
}

/// <summary>
/// Reads RFC 4180 CSV (a header row; quoted fields may hold commas, quotes and newlines) in UTF-8 into a column store.
/// An empty or blank field or <c>NA</c> is missing. A column is numeric when every other field reads as a number
/// (invariant culture; <c>NaN</c>, <c>Inf</c>, <c>-Inf</c> are flagged in <see cref="NumericColumn.NonFinite"/>),
/// else text; a text column whose distinct values are mostly numbers carries its other cells
/// (<see cref="StringColumn.NonNumeric"/>), and a model that uses it without its being declared a factor stops there.
/// As in R, a numeric-looking column written in quotes is a factor (<see cref="DataTable.FactorColumns"/>).
/// Blank lines are skipped, as R's read.csv does, and no line is a comment. Header names are trimmed of spaces, and
/// columns without a name are left out. A large file without quotes is parsed in parts, one per core
/// (<see cref="ChunkedCsvReader"/>), with the same result as reading it in one go. Files that are compressed, Parquet,
/// UTF-16 or separated by another character are named for what they seem to be (<see cref="CsvFileCheck"/>).
/// </summary>
public static class CsvLoader
{
    /// <summary>Below this many bytes per part a file is read in one go: starting a part costs more than it saves.</summary>
    internal const long MinPartBytes = 1 << 20;

    public static DataTable Load(string path, CsvOptions? options = null) =>
        Load(path, options, Environment.ProcessorCount, MinPartBytes);

    /// <summary>As <see cref="Load(string, CsvOptions?)"/>, in at most <paramref name="parts"/> parts of at least
    /// <paramref name="minPartBytes"/> bytes (tests cut small files into many parts).</summary>
    internal static DataTable Load(string path, CsvOptions? options, int parts, long minPartBytes)
    {
        if (!File.Exists(path))
            throw new GlmmException($"data file '{path}' not found");
        options ??= new CsvOptions();
        string source = $"data file '{path}'";
        CsvFileCheck.CheckFile(path, source);
        var scan = FileChunks.Of(path, parts, minPartBytes);
        if (scan.CanSplit && ChunkedCsvReader.TryRead(path, scan, options, source) is { } table)
            return Finish(table, options, source);
        return Read(() => OpenFile(path, 0, long.MaxValue), source, options, scan.Capacity);
    }

    /// <summary>
    /// Reads CSV text. The text is buffered in memory because a column that turns out to be text after
    /// numbers needs a second look at its fields; use the path overload for large files.
    /// </summary>
    public static DataTable Load(TextReader reader, CsvOptions? options = null)
    {
        string text = reader.ReadToEnd();
        const string source = "the CSV text";
        int end = text.IndexOf('\n');
        CsvFileCheck.CheckHeader(end < 0 ? text : text.AsSpan(0, end), source);
        return Read(() => new StringReader(text), source, options ?? new CsvOptions(), RowCapacity.OfText(text));
    }

    /// <summary>Bytes [start, start + length) of a file as UTF-8 text (<see cref="InvalidUtf8Detector.OpenReader"/>).</summary>
    internal static TextReader OpenFile(string path, long start, long length)
    {
        Stream stream = start == 0 && length == long.MaxValue
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan)
            : new FileRangeStream(path, start, length);
        return InvalidUtf8Detector.OpenReader(stream, atFileStart: start == 0);
    }

    private static DataTable Read(Func<TextReader> open, string source, CsvOptions options, int capacity)
    {
        List<CsvColumnBuilder> columns;
        QuotedColumnDetector quoted;
        int rows;
        var text = open();
        var utf8 = InvalidUtf8Detector.Of(text);
        using (var reader = CsvRecordReader.Open(text, source))
        {
            columns = new List<CsvColumnBuilder>();
            foreach (var f in SelectFields(reader, options, source, utf8)) columns.Add(new CsvColumnBuilder(f.Name, f.Field, capacity));
            quoted = new QuotedColumnDetector(reader.FieldCount);
            rows = CsvRecordReader.ReadAll(reader, columns, quoted, source, reader.FieldCount, utf8);
        }
        ReadAsText(open, source, columns.Where(c => c.NeedsTextPass).ToList(), rows);

        var table = new DataTable(columns.Select(c => c.Build(rows, findNonNumeric: !quoted.IsQuoted(c.Field))));
        foreach (var c in columns)
            if (!c.IsText && quoted.IsQuoted(c.Field))
                table.FactorColumns.Add(c.Name);
        return Finish(table, options, source);
    }

    /// <summary>The second pass for columns that met text after numbers: their fields again, all as written.</summary>
    internal static void ReadAsText(Func<TextReader> open, string source, List<CsvColumnBuilder> columns, int rows)
    {
        if (columns.Count == 0) return;
        foreach (var c in columns) c.RestartAsText(rows);
        var text = open();
        var utf8 = InvalidUtf8Detector.Of(text);
        using var reader = CsvRecordReader.Open(text, source);
        CsvRecordReader.ReadAll(reader, columns, null, source, reader.FieldCount, utf8);
    }

    /// <summary>The table with the columns <see cref="CsvOptions.Factors"/> names declared factors, checked to hold rows.</summary>
    private static DataTable Finish(DataTable table, CsvOptions options, string source)
    {
        if (table.RowCount == 0)
            throw new GlmmException($"{source} has a header but no data rows");
        foreach (var name in options.Factors)
        {
            if (!table.Contains(name))
                throw new GlmmException($"factor column '{name}' is not in {source}; it has {string.Join(", ", table.Columns.Select(c => c.Name))}");
            table.FactorColumns.Add(name);
        }
        return table;
    }

    /// <summary>
    /// The header's names (trimmed of spaces) and indices of the columns to read, checked against
    /// <see cref="CsvOptions.Columns"/>; a column without a name is left out, since no formula can name it.
    /// </summary>
    internal static List<SelectedField> SelectFields(CsvDataReader reader, CsvOptions options, string source, InvalidUtf8Detector? utf8)
    {
        var names = new string[reader.FieldCount];
        for (int i = 0; i < names.Length; i++) names[i] = reader.GetName(i).Trim(' ');
        if (names.Length == 1 && names[0].Length == 0)
            throw new GlmmException($"{source} is empty: expected a header row of column names");
        if (utf8 is { Seen: true })
        {
            int bad = Array.FindIndex(names, n => n.Contains(InvalidUtf8Detector.Replacement));
            if (bad >= 0) throw InvalidUtf8Detector.Error(source, 1, $"column {bad + 1} of the header");
        }
        var wanted = options.Columns is null ? null : new HashSet<string>(options.Columns, StringComparer.Ordinal);
        if (wanted is not null)
        {
            foreach (var w in wanted)
                if (Array.IndexOf(names, w) < 0)
                    throw new GlmmException($"column '{w}' is not in {source}; it has {string.Join(", ", names.Where(n => n.Length > 0))}");
        }
        var fields = new List<SelectedField>();
        var firstOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0 || (wanted is not null && !wanted.Contains(names[i]))) continue;
            if (firstOf.TryGetValue(names[i], out int j))
                throw new GlmmException($"{source} has two columns named '{names[i]}' (columns {j + 1} and {i + 1} of the header): each column needs its own name");
            firstOf[names[i]] = i;
            fields.Add(new SelectedField(names[i], i));
        }
        // A file without a header: its first row of numbers would be taken for names, and that row of data lost.
        if (fields.Count > 0 && fields.TrueForAll(f => CsvField.Parse(f.Name, out _) == FieldKind.Number))
            throw new GlmmException($"{source} line 1 holds numbers, not column names: the file needs a header row naming its columns");
        return fields;
    }
}

/// <summary>A column to read: its name and its index in a record.</summary>
// A class: lists of it share the framework's precompiled code for reference types, where a struct's would be JIT-compiled.
internal sealed record SelectedField(string Name, int Field);

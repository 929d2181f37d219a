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
/// Reads RFC 4180 CSV (a header row; quoted fields may hold commas, quotes and newlines) into a column store.
/// An empty field or <c>NA</c> is missing. A column is numeric when every other field reads as a number
/// (invariant culture; <c>NaN</c>, <c>Inf</c>, <c>-Inf</c> are flagged in <see cref="NumericColumn.NonFinite"/>),
/// else text. As in R, a numeric-looking column written in quotes is a factor (<see cref="DataTable.FactorColumns"/>).
/// Blank lines are skipped, as R's read.csv does. A large file without quotes is parsed in parts, one per core
/// (<see cref="ChunkedCsvReader"/>), with the same result as reading it in one go.
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
        var scan = FileChunks.Of(path, parts, minPartBytes);
        if (scan.CanSplit && ChunkedCsvReader.TryRead(path, scan, options, source) is { } table)
            return WithFactorOption(table, options, source);
        return Read(() => OpenFile(path, 0, long.MaxValue), source, options, scan.Capacity);
    }

    /// <summary>
    /// Reads CSV text. The text is buffered in memory because a column that turns out to be text after
    /// numbers needs a second look at its fields; use the path overload for large files.
    /// </summary>
    public static DataTable Load(TextReader reader, CsvOptions? options = null)
    {
        string text = reader.ReadToEnd();
        return Read(() => new StringReader(text), "the CSV text", options ?? new CsvOptions(), RowCapacity.OfText(text));
    }

    /// <summary>Bytes [start, start + length) of a file as UTF-8 text; a byte-order mark is looked for at the file's start only.</summary>
    internal static TextReader OpenFile(string path, long start, long length)
    {
        Stream stream = start == 0 && length == long.MaxValue
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan)
            : new FileRangeStream(path, start, length);
        return new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: start == 0, bufferSize: 1 << 16);
    }

    private static DataTable Read(Func<TextReader> open, string source, CsvOptions options, int capacity)
    {
        List<CsvColumnBuilder> columns;
        QuotedColumnDetector quoted;
        int rows;
        using (var reader = CsvRecordReader.Open(open(), source))
        {
            columns = new List<CsvColumnBuilder>();
            foreach (var f in SelectFields(reader, options, source)) columns.Add(new CsvColumnBuilder(f.Name, f.Field, capacity));
            quoted = new QuotedColumnDetector(reader.FieldCount);
            rows = CsvRecordReader.ReadAll(reader, columns, quoted, source, reader.FieldCount);
        }
        ReadAsText(open, source, columns.Where(c => c.NeedsTextPass).ToList(), rows);

        var table = new DataTable(columns.Select(c => c.Build(rows)));
        foreach (var c in columns)
            if (!c.IsText && quoted.IsQuoted(c.Field))
                table.FactorColumns.Add(c.Name);
        return WithFactorOption(table, options, source);
    }

    /// <summary>The second pass for columns that met text after numbers: their fields again, all as written.</summary>
    internal static void ReadAsText(Func<TextReader> open, string source, List<CsvColumnBuilder> columns, int rows)
    {
        if (columns.Count == 0) return;
        foreach (var c in columns) c.RestartAsText(rows);
        using var reader = CsvRecordReader.Open(open(), source);
        CsvRecordReader.ReadAll(reader, columns, null, source, reader.FieldCount);
    }

    private static DataTable WithFactorOption(DataTable table, CsvOptions options, string source)
    {
        foreach (var name in options.Factors)
        {
            if (!table.Contains(name))
                throw new GlmmException($"factor column '{name}' is not in {source}; it has {string.Join(", ", table.Columns.Select(c => c.Name))}");
            table.FactorColumns.Add(name);
        }
        return table;
    }

    /// <summary>The header's names and indices of the columns to read, checked against <see cref="CsvOptions.Columns"/>.</summary>
    internal static List<SelectedField> SelectFields(CsvDataReader reader, CsvOptions options, string source)
    {
        var names = new string[reader.FieldCount];
        for (int i = 0; i < names.Length; i++) names[i] = reader.GetName(i);
        if (names.Length == 1 && names[0].Length == 0)
            throw new GlmmException($"{source} is empty: expected a header row of column names");
        var wanted = options.Columns is null ? null : new HashSet<string>(options.Columns, StringComparer.Ordinal);
        if (wanted is not null)
        {
            foreach (var w in wanted)
                if (Array.IndexOf(names, w) < 0)
                    throw new GlmmException($"column '{w}' is not in {source}; it has {string.Join(", ", names)}");
        }
        var fields = new List<SelectedField>();
        for (int i = 0; i < names.Length; i++)
            if (wanted is null || wanted.Contains(names[i]))
                fields.Add(new SelectedField(names[i], i));
        return fields;
    }
}

/// <summary>A column to read: its name and its index in a record.</summary>
// A class: lists of it share the framework's precompiled code for reference types, where a struct's would be JIT-compiled.
internal sealed record SelectedField(string Name, int Field);

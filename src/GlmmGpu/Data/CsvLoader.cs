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
/// Blank lines are skipped, as R's read.csv does.
/// </summary>
public static class CsvLoader
{
    public static DataTable Load(string path, CsvOptions? options = null)
    {
        if (!File.Exists(path))
            throw new GlmmException($"data file '{path}' not found");
        return Read(() => new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), $"data file '{path}'",
            options ?? new CsvOptions(), RowCapacity.OfFile(path));
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

    private static DataTable Read(Func<TextReader> open, string source, CsvOptions options, int capacity)
    {
        List<CsvColumnBuilder> columns;
        QuotedColumnDetector quoted;
        int rows;
        using (var reader = CsvRecordReader.Open(open(), source))
        {
            columns = SelectColumns(reader, options, source, capacity);
            quoted = new QuotedColumnDetector(reader.FieldCount);
            rows = CsvRecordReader.ReadAll(reader, columns, quoted, source);
        }
        var retry = columns.Where(c => c.NeedsTextPass).ToList();
        if (retry.Count > 0)
        {
            foreach (var c in retry) c.RestartAsText(rows);
            using var reader = CsvRecordReader.Open(open(), source);
            CsvRecordReader.ReadAll(reader, retry, null, source);
        }

        var table = new DataTable(columns.Select(c => c.Build(rows)));
        foreach (var c in columns)
            if (!c.IsText && quoted.IsQuoted(c.Field))
                table.FactorColumns.Add(c.Name);
        foreach (var name in options.Factors)
        {
            if (!table.Contains(name))
                throw new GlmmException($"factor column '{name}' is not in {source}; it has {string.Join(", ", table.Columns.Select(c => c.Name))}");
            table.FactorColumns.Add(name);
        }
        return table;
    }

    private static List<CsvColumnBuilder> SelectColumns(CsvDataReader reader, CsvOptions options, string source, int capacity)
    {
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        if (names.Length == 1 && names[0].Length == 0)
            throw new GlmmException($"{source} is empty: expected a header row of column names");
        var wanted = options.Columns is null ? null : new HashSet<string>(options.Columns, StringComparer.Ordinal);
        if (wanted is not null)
        {
            foreach (var w in wanted)
                if (Array.IndexOf(names, w) < 0)
                    throw new GlmmException($"column '{w}' is not in {source}; it has {string.Join(", ", names)}");
        }
        var columns = new List<CsvColumnBuilder>();
        for (int i = 0; i < names.Length; i++)
            if (wanted is null || wanted.Contains(names[i]))
                columns.Add(new CsvColumnBuilder(names[i], i, capacity));
        return columns;
    }
}

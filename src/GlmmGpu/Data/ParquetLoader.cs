using GlmmGpu.Data.Parquet;
using Parquet;
using Parquet.Schema;

namespace GlmmGpu.Data;

/// <summary>
/// Reads Apache Parquet files (through Parquet.Net) into a column store, every row group in order. Numeric
/// columns (double, float, integers of any width, decimal, bool as 0/1) become <see cref="NumericColumn"/>s
/// with null as the missing value (a 64-bit integer column holding an integer beyond 2^53 becomes text, exactly, as
/// the CSV loader reads long ids); string columns become <see cref="StringColumn"/>s, and so factors, as
/// R's arrow writes factors. Parquet has no quoting to mark a numeric column as a factor, so
/// <see cref="CsvOptions.Factors"/> names those. Columns a model cannot use (dates, times, raw binary,
/// nested or repeated fields) are left out of the table, or are an error when named in
/// <see cref="CsvOptions.Columns"/>.
/// </summary>
public static class ParquetLoader
{
    public static DataTable Load(string path, CsvOptions? options = null)
    {
        if (Directory.Exists(path))
            throw new GlmmException($"data file '{path}' is a directory, not a Parquet file");
        if (!File.Exists(path))
            throw new GlmmException($"data file '{path}' not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, options, $"data file '{path}'");
    }

    /// <summary>Reads Parquet from a seekable stream (left open); <paramref name="source"/> names it in errors.</summary>
    public static DataTable Load(Stream stream, CsvOptions? options = null, string source = "the Parquet data")
    {
        options ??= new CsvOptions();
        try
        {
            // The library is asynchronous only; nothing here runs on a synchronization context, so blocking is safe.
            return ReadAsync(stream, options, source).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ParquetException or IOException or InvalidDataException or NotSupportedException)
        {
            throw new GlmmException($"{source} is not a readable Parquet file: {e.Message}");
        }
    }

    private static async Task<DataTable> ReadAsync(Stream stream, CsvOptions options, string source)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true);
        long total = reader.RowGroups.Sum(g => g.RowCount);
        if (total == 0)
            throw new GlmmException($"{source} has no rows");
        if (total > int.MaxValue)
            throw new GlmmException($"{source} has {total} rows; at most {int.MaxValue} fit in memory");
        var columns = SelectColumns(reader.Schema, options, source, (int)total);
        foreach (var group in reader.RowGroups)
            foreach (var column in columns)
                await column.ReadAsync(group);

        var table = new DataTable(columns.Select(c => c.Build()));
        foreach (var name in options.Factors)
        {
            if (!table.Contains(name))
                throw new GlmmException($"factor column '{name}' is not in {source}; it has {string.Join(", ", table.Columns.Select(c => c.Name))}");
            table.FactorColumns.Add(name);
        }
        return table;
    }

    private static List<ParquetColumnReader> SelectColumns(ParquetSchema schema, CsvOptions options, string source, int rows)
    {
        var wanted = options.Columns is null ? null : new HashSet<string>(options.Columns, StringComparer.Ordinal);
        if (wanted is not null)
        {
            var names = schema.Fields.Select(f => f.Name).ToArray();
            foreach (var w in wanted)
                if (Array.IndexOf(names, w) < 0)
                    throw new GlmmException($"column '{w}' is not in {source}; it has {string.Join(", ", names)}");
        }
        var columns = new List<ParquetColumnReader>();
        foreach (var field in schema.Fields)
        {
            if (wanted is not null && !wanted.Contains(field.Name)) continue;
            var reader = field is DataField { IsArray: false, MaxRepetitionLevel: 0 } data ? ParquetColumnReader.For(data, rows) : null;
            if (reader is not null) columns.Add(reader);
            else if (wanted is not null)
                throw new GlmmException($"column '{field.Name}' in {source} is {Describe(field)}: only numbers, booleans and strings can be read");
        }
        return columns;
    }

    private static string Describe(Field field) =>
        field is DataField d ? (d.IsArray ? "a list" : $"of type {d.ClrType.Name}") : $"a nested {field.SchemaType.ToString().ToLowerInvariant()}";
}

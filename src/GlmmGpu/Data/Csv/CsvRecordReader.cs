using Sylvan.Data.Csv;

namespace GlmmGpu.Data.Csv;

/// <summary>
/// Drives Sylvan's reader over the records of a file: opens it with a fixed delimiter, skips blank lines,
/// rejects ragged rows and malformed quoting with the physical line number, and streams the fields of the
/// wanted columns to the column builders.
/// </summary>
internal static class CsvRecordReader
{
    public const char Delimiter = ',';

    /// <summary>Opens <paramref name="text"/>, whose first line is physical line <paramref name="firstLine"/> of the source,
    /// and reads its header when it has one.</summary>
    public static CsvDataReader Open(TextReader text, string source, bool hasHeaders = true, int firstLine = 1)
    {
        try
        {
            // The delimiter is fixed: Sylvan would otherwise guess it from the header.
            return CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = hasHeaders, Delimiter = Delimiter, OwnsReader = true });
        }
        catch (CsvMissingHeadersException)
        {
            text.Dispose();
            throw new GlmmException($"{source} is empty: expected a header row of column names");
        }
        catch (Exception e) when (e is CsvFormatException or CsvRecordTooLargeException)
        {
            text.Dispose();
            throw new GlmmException($"{source} line {firstLine} is not valid CSV: {e.Message}", e);
        }
    }

    /// <summary>Moves to the next record, turning Sylvan's format errors into one that names the line.</summary>
    private static bool Next(CsvDataReader reader, string source, int line)
    {
        try
        {
            return reader.Read();
        }
        catch (Exception e) when (e is CsvFormatException or CsvRecordTooLargeException)
        {
            throw new GlmmException($"{source} line {line} is not valid CSV: {e.Message}", e);
        }
    }

    /// <summary>
    /// Streams every record into the column builders; returns the number of data rows, or -1 if there are more than
    /// <paramref name="maxRows"/>. Records must have <paramref name="fieldCount"/> fields; the first is on physical line
    /// <paramref name="firstLine"/> (2 for a whole file: the header is line 1).
    /// </summary>
    // Fully optimised from the first call: this loop runs once per load, too few times for tiered JIT to help.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int ReadAll(CsvDataReader reader, IReadOnlyList<CsvColumnBuilder> columns, QuotedColumnDetector? quoted, string source,
        int fieldCount, int firstLine = 2, int maxRows = int.MaxValue)
    {
        var builders = columns.ToArray();
        int rows = 0;
        int line = firstLine; // physical line of the current record
        while (Next(reader, source, line))
        {
            var raw = reader.GetRawRecordSpan();
            int recordLine = line;
            // Quoted fields may hold newlines, so count them to keep the line numbers in messages true.
            line += raw.Count('\n');
            if (IsBlank(reader, raw)) continue;
            if (reader.RowFieldCount != fieldCount)
            {
                throw new GlmmException(
                    $"{source} line {recordLine} has {reader.RowFieldCount} fields, but the header has {fieldCount}");
            }
            if (quoted is { Done: false }) quoted.Scan(raw, Delimiter);
            if (rows == maxRows) return -1;
            foreach (var b in builders) b.Add(reader.GetFieldSpan(b.Field));
            rows++;
        }
        return rows;
    }

    private static bool IsBlank(CsvDataReader reader, ReadOnlySpan<char> raw) =>
        reader.RowFieldCount == 1 && raw.Trim().IsEmpty;
}

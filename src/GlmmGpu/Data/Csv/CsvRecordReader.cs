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

    public static CsvDataReader Open(TextReader text, string source)
    {
        try
        {
            // The delimiter is fixed: Sylvan would otherwise guess it from the header.
            return CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = Delimiter, OwnsReader = true });
        }
        catch (CsvMissingHeadersException)
        {
            text.Dispose();
            throw new GlmmException($"{source} is empty: expected a header row of column names");
        }
        catch (Exception e) when (e is CsvFormatException or CsvRecordTooLargeException)
        {
            text.Dispose();
            throw new GlmmException($"{source} line 1 is not valid CSV: {e.Message}", e);
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
    /// Streams every record into the column builders; returns the number of data rows. This thread tokenises
    /// and checks the records; a <see cref="ColumnParser"/> parses the fields on another.
    /// </summary>
    // Fully optimised from the first call: this loop runs once per load, too few times for tiered JIT to help.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int ReadAll(CsvDataReader reader, List<CsvColumnBuilder> columns, QuotedColumnDetector? quoted, string source)
    {
        int fieldCount = reader.FieldCount;
        var builders = columns.ToArray();
        var fields = builders.Select(b => b.Field).ToArray();
        using var parser = new ColumnParser(builders);
        var block = parser.Rent();
        int rows = 0;
        int line = 2; // physical line of the current record: the header is line 1
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
            for (int c = 0; c < fields.Length; c++) block.Add(c, reader.GetFieldSpan(fields[c]));
            block.EndRecord();
            rows++;
            if (block.IsFull)
            {
                parser.Submit(block);
                block = parser.Rent();
            }
        }
        parser.Submit(block);
        parser.Complete();
        return rows;
    }

    private static bool IsBlank(CsvDataReader reader, ReadOnlySpan<char> raw) =>
        reader.RowFieldCount == 1 && raw.Trim().IsEmpty;
}

using Sylvan.Data.Csv;

namespace GlmmGpu.Data.Csv;

/// <summary>
/// Drives Sylvan's reader over the records of a file: opens it with a fixed delimiter and no comment lines, skips
/// blank lines, rejects ragged rows, malformed quoting and bytes that are not UTF-8 with the physical line number,
/// and streams the fields of the wanted columns to the column builders.
/// </summary>
internal static class CsvRecordReader
{
    public const char Delimiter = ',';

    /// <summary>The longest record read, in characters: the reader's buffer grows to it as needed (wide files).</summary>
    public const int MaxRecordChars = 1 << 26;

    // Sylvan takes a line that starts with its comment character for a comment and skips it; R's read.csv has none.
    // A lone low surrogate cannot start a record of decoded text, so no line is skipped.
    private const char NoComment = '\uDFFF';

    /// <summary>Opens <paramref name="text"/>, whose first line is physical line <paramref name="firstLine"/> of the source,
    /// and reads its header when it has one.</summary>
    public static CsvDataReader Open(TextReader text, string source, bool hasHeaders = true, int firstLine = 1)
    {
        try
        {
            // The delimiter is fixed: Sylvan would otherwise guess it from the header.
            return CsvDataReader.Create(text, new CsvDataReaderOptions
            {
                HasHeaders = hasHeaders,
                Delimiter = Delimiter,
                Comment = NoComment,
                MaxBufferSize = MaxRecordChars,
                OwnsReader = true,
            });
        }
        catch (CsvMissingHeadersException)
        {
            text.Dispose();
            throw new GlmmException($"{source} is empty: expected a header row of column names");
        }
        catch (Exception e) when (e is CsvFormatException or CsvRecordTooLargeException)
        {
            text.Dispose();
            throw NotValid(e, source, firstLine);
        }
    }

    private static GlmmException NotValid(Exception e, string source, int line) => e is CsvRecordTooLargeException
        ? new GlmmException($"{source} line {line} is longer than {MaxRecordChars:N0} characters: is a quote left open?", e)
        : new GlmmException($"{source} line {line} is not valid CSV: {e.Message}", e);

    /// <summary>Moves to the next record, turning Sylvan's format errors into one that names the line.</summary>
    private static bool Next(CsvDataReader reader, string source, int line)
    {
        try
        {
            return reader.Read();
        }
        catch (Exception e) when (e is CsvFormatException or CsvRecordTooLargeException)
        {
            throw NotValid(e, source, line);
        }
    }

    /// <summary>
    /// Streams every record into the column builders; returns the number of data rows, or -1 if there are more than
    /// <paramref name="maxRows"/>. Records must have <paramref name="fieldCount"/> fields; the first is on physical line
    /// <paramref name="firstLine"/> (2 for a whole file: the header is line 1). <paramref name="utf8"/> is the text's
    /// decoder fallback, when it decodes bytes.
    /// </summary>
    // Fully optimised from the first call: this loop runs once per load, too few times for tiered JIT to help.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int ReadAll(CsvDataReader reader, IReadOnlyList<CsvColumnBuilder> columns, QuotedColumnDetector? quoted, string source,
        int fieldCount, InvalidUtf8Detector? utf8, int firstLine = 2, int maxRows = int.MaxValue)
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
            // The decoder has replaced bytes that are not UTF-8 somewhere in the text read so far: in this record or a later one.
            if (utf8 is { Seen: true } && raw.Contains(InvalidUtf8Detector.Replacement))
                throw InvalidUtf8(reader, builders, source, recordLine);
            if (IsBlank(reader, raw)) continue;
            if (reader.RowFieldCount != fieldCount) throw Ragged(reader.RowFieldCount, fieldCount, source, recordLine, rows == 0 && firstLine == 2);
            if (quoted is { Done: false }) quoted.Scan(raw, Delimiter);
            if (rows == maxRows) return -1;
            foreach (var b in builders) b.Add(reader.GetFieldSpan(b.Field));
            rows++;
        }
        return rows;
    }

    private static GlmmException Ragged(int fields, int fieldCount, string source, int line, bool firstDataRow)
    {
        string message = $"{source} line {line} has {fields} fields, but the header has {fieldCount}";
        // R's write.table (row.names = TRUE, col.names = TRUE) writes no name above the row names.
        if (firstDataRow && fields == fieldCount + 1)
            message += " (a header one name short is how R's write.table writes row names: add a name for the first column, " +
                "or write the file with row.names = FALSE)";
        return new GlmmException(message);
    }

    private static GlmmException InvalidUtf8(CsvDataReader reader, CsvColumnBuilder[] builders, string source, int line)
    {
        for (int f = 0; f < reader.RowFieldCount; f++)
        {
            if (!reader.GetFieldSpan(f).Contains(InvalidUtf8Detector.Replacement)) continue;
            var named = Array.Find(builders, b => b.Field == f);
            return InvalidUtf8Detector.Error(source, line, named is null ? $"field {f + 1}" : $"column '{named.Name}'");
        }
        return InvalidUtf8Detector.Error(source, line, "one of its fields");
    }

    private static bool IsBlank(CsvDataReader reader, ReadOnlySpan<char> raw) =>
        reader.RowFieldCount == 1 && raw.Trim().IsEmpty;
}

namespace GlmmGpu.Data.Csv;

/// <summary>
/// Finds which columns the file writes in quotes, as R's write.csv does for factors and strings. Reading a
/// quoted "1" as a factor level (not the number 1) is what R's read.csv does, so a numeric-looking column that
/// is quoted becomes a factor. Only the raw text of the first rows is scanned, until every column has shown a
/// non-empty field: the per-field cost of the main read is untouched.
/// </summary>
internal sealed class QuotedColumnDetector
{
    // A column whose early fields are all empty stays undecided; this caps how long we keep looking.
    private const int MaxRowsToScan = 1000;
    private readonly bool?[] quoted;
    private int undecided;
    private int scanned;

    public QuotedColumnDetector(int fieldCount)
    {
        quoted = new bool?[fieldCount];
        undecided = fieldCount;
    }

    public bool Done => undecided == 0 || scanned >= MaxRowsToScan;

    /// <summary>True when the column's first non-empty field was quoted.</summary>
    public bool IsQuoted(int field) => quoted[field] == true;

    /// <summary>Scans one raw record (the text of a row, including its quotes).</summary>
    public void Scan(ReadOnlySpan<char> raw, char delimiter)
    {
        scanned++;
        int field = 0, i = 0;
        while (field < quoted.Length && i <= raw.Length)
        {
            bool isQuoted = i < raw.Length && raw[i] == '"';
            int start = i;
            if (isQuoted)
            {
                i++;
                // Skip to the closing quote; a doubled quote is an escaped one.
                while (i < raw.Length)
                {
                    if (raw[i] == '"')
                    {
                        if (i + 1 < raw.Length && raw[i + 1] == '"') { i += 2; continue; }
                        i++;
                        break;
                    }
                    i++;
                }
            }
            while (i < raw.Length && raw[i] != delimiter && raw[i] != '\n' && raw[i] != '\r') i++;
            bool empty = isQuoted ? i - start <= 2 : i == start;
            if (quoted[field] is null && !empty)
            {
                quoted[field] = isQuoted;
                undecided--;
            }
            field++;
            if (i >= raw.Length || raw[i] != delimiter) break;
            i++;
        }
    }
}

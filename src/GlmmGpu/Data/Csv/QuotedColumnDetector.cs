namespace GlmmGpu.Data.Csv;

/// <summary>
/// Finds which columns the file writes in quotes, as R's write.csv does for factors and strings. Reading a
/// quoted "1" as a factor level (not the number 1) is what R's read.csv does, so a numeric-looking column that
/// is quoted becomes a factor. A field that needs its quotes (it holds a comma, a quote or a line break, as
/// "1,234" does) says nothing about its column. Only the raw text of the first rows is scanned, until every
/// column has shown a non-empty field that tells: the per-field cost of the main read is untouched.
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

    /// <summary>True when the column's first non-empty field that need not be quoted was quoted.</summary>
    public bool IsQuoted(int field) => quoted[field] == true;

    /// <summary>Scans one raw record (the text of a row, including its quotes).</summary>
    public void Scan(ReadOnlySpan<char> raw, char delimiter)
    {
        scanned++;
        int field = 0, i = 0;
        while (field < quoted.Length && i <= raw.Length)
        {
            bool isQuoted = i < raw.Length && raw[i] == '"';
            bool needsQuotes = false;
            int start = i;
            if (isQuoted)
            {
                i++;
                // Skip to the closing quote; a doubled quote is an escaped one.
                while (i < raw.Length)
                {
                    char c = raw[i];
                    if (c == '"')
                    {
                        if (i + 1 < raw.Length && raw[i + 1] == '"') { needsQuotes = true; i += 2; continue; }
                        i++;
                        break;
                    }
                    needsQuotes |= c == delimiter || c == '\n' || c == '\r';
                    i++;
                }
            }
            while (i < raw.Length && raw[i] != delimiter && raw[i] != '\n' && raw[i] != '\r') i++;
            bool empty = isQuoted ? i - start <= 2 : i == start;
            if (quoted[field] is null && !empty && !needsQuotes)
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

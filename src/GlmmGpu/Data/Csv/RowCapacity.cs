namespace GlmmGpu.Data.Csv;

/// <summary>
/// How many data rows a CSV holds, from its line breaks: counting them is a fast vectorised scan, and sizing
/// the column arrays exactly up front spares the copies of growing arrays and trimming them at the end, which
/// otherwise cost as much as parsing. Quoted newlines and blank lines only make it an overestimate (the arrays
/// are trimmed); a file with bare-CR line ends makes it short (the arrays grow).
/// </summary>
internal static class RowCapacity
{
    public static int OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        long lines = 0;
        byte last = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            // A UTF-8 multi-byte sequence never contains the byte 0x0A, so this counts line feeds exactly.
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }
        return FromLineFeeds(lines, last == '\n');
    }

    public static int OfText(string text) =>
        FromLineFeeds(text.AsSpan().Count('\n'), text.Length > 0 && text[^1] == '\n');

    // One line is the header; a last line without a line feed is a row too.
    private static int FromLineFeeds(long lineFeeds, bool endsWithLineFeed) =>
        (int)Math.Clamp(lineFeeds - 1 + (endsWithLineFeed ? 0 : 1), 16, Array.MaxLength);
}

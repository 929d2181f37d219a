namespace GlmmGpu.Data.Csv;

/// <summary>
/// How many data rows a CSV holds, from its line breaks (a file's are counted by <see cref="FileChunks"/>): counting them is a fast vectorised scan, and sizing
/// the column arrays exactly up front spares the copies of growing arrays and trimming them at the end, which
/// otherwise cost as much as parsing. Quoted newlines and blank lines only make it an overestimate (the arrays
/// are trimmed); a file with bare-CR line ends makes it short (the arrays grow).
/// </summary>
internal static class RowCapacity
{
    public static int OfText(string text) =>
        FromLineFeeds(text.AsSpan().Count('\n'), text.Length > 0 && text[^1] == '\n');

    // One line is the header; a last line without a line feed is a row too.
    internal static int FromLineFeeds(long lineFeeds, bool endsWithLineFeed) =>
        (int)Math.Clamp(lineFeeds - 1 + (endsWithLineFeed ? 0 : 1), 16, Array.MaxLength);
}

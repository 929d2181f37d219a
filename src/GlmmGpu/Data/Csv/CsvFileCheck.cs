using System.Text;

namespace GlmmGpu.Data.Csv;

/// <summary>
/// Looks at a data file's first bytes and first line before it is parsed, so that a file of another kind (compressed,
/// Parquet, UTF-16, separated by semicolons or tabs) is named for what it seems to be instead of failing later as
/// malformed CSV, or loading as one column.
/// </summary>
internal static class CsvFileCheck
{
    private const int HeadBytes = 1 << 16;

    // Magic numbers whose bytes cannot begin UTF-8 text.
    private static readonly (byte[] Magic, string What)[] Kinds =
    [
        ([0x1F, 0x8B], "is gzip-compressed: decompress it first (gunzip)"),
        ([(byte)'P', (byte)'K', 3, 4], "is a zip archive (an Excel .xlsx workbook is one): extract the CSV file, or save the sheet as CSV"),
        ([0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0], "is xz-compressed: decompress it first (unxz)"),
        ([0x28, 0xB5, 0x2F, 0xFD], "is zstd-compressed: decompress it first (unzstd)"),
        ([0xFF, 0xFE], "is UTF-16 text: save it as UTF-8"),
        ([0xFE, 0xFF], "is UTF-16 text: save it as UTF-8"),
    ];

    // Magic numbers that a header could begin with too: believed only with the NUL bytes of binary data after them.
    private static readonly (byte[] Magic, string What)[] BinaryKinds =
    [
        ([(byte)'P', (byte)'A', (byte)'R', (byte)'1'], "is a Parquet file: give it the extension .parquet"),
        ([(byte)'B', (byte)'Z', (byte)'h'], "is bzip2-compressed: decompress it first (bunzip2)"),
    ];

    /// <summary>Checks the start of the file at <paramref name="path"/>.</summary>
    public static void CheckFile(string path, string source)
    {
        var head = new byte[HeadBytes];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var bytes = head.AsSpan(0, read);
        foreach (var (magic, what) in Kinds)
            if (bytes.StartsWith(magic)) throw new GlmmException($"{source} {what}");
        if (bytes.Contains((byte)0))
        {
            foreach (var (magic, what) in BinaryKinds)
                if (bytes.StartsWith(magic)) throw new GlmmException($"{source} {what}");
            throw new GlmmException($"{source} is not a text file: it holds NUL bytes (UTF-16 text without a byte-order mark must be saved as UTF-8)");
        }
        if (bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[Encoding.UTF8.Preamble.Length..];
        int end = bytes.IndexOf((byte)'\n');
        CheckHeader(Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]), source);
    }

    /// <summary>Checks the first line of CSV text, the header (or as much of it as was read).</summary>
    public static void CheckHeader(ReadOnlySpan<char> line, string source)
    {
        line = line.TrimEnd('\r').Trim(' ');
        int commas = 0, semicolons = 0, tabs = 0, bars = 0, spaces = 0;
        bool inQuotes = false;
        foreach (char c in line)
        {
            if (c == '"') inQuotes = !inQuotes;
            if (inQuotes) continue;
            switch (c)
            {
                case ',': commas++; break;
                case ';': semicolons++; break;
                case '\t': tabs++; break;
                case '|': bars++; break;
                case ' ': spaces++; break;
            }
        }
        if (commas > 0) return;
        if (line.StartsWith('#'))
            throw new GlmmException($"{source} line 1 starts with '#', but glmm reads no comment lines: the first line must be the header of column names");
        string? separator =
            semicolons > 0 && semicolons >= tabs && semicolons >= bars ? "';'"
            : tabs > 0 && tabs >= bars ? "tabs"
            : bars > 0 ? "'|'"
            : spaces > 0 ? "spaces"
            : null;
        if (separator is not null)
        {
            throw new GlmmException($"{source} seems to be separated by {separator}: its first line has no commas, and glmm reads " +
                "comma-separated files (with '.' as the decimal point); save it as such, e.g. with R's write.csv");
        }
    }
}

namespace GlmmGpu.Data.Csv;

/// <summary>A run of whole lines of a file: its bytes, the physical line it starts on, and at most how many records it holds.</summary>
internal readonly record struct FileChunk(long Start, long Length, int FirstLine, int Capacity);

/// <summary>
/// One vectorised pass over a file's bytes before it is parsed. It counts the line feeds, which size the column
/// arrays exactly. It notes whether any quote appears: a quoted field may hold a line break, so only a file without
/// quotes can be cut at line feeds. And it finds where to cut the file into parts that threads parse side by side:
/// at the first line feed after each equal share of the bytes.
/// </summary>
internal sealed class FileChunks
{
    private FileChunks(FileChunk[] chunks, int capacity, bool hasQuote)
    {
        Chunks = chunks;
        Capacity = capacity;
        HasQuote = hasQuote;
    }

    /// <summary>The parts, in file order; the first starts with the header.</summary>
    // An array, not a list: a generic collection over a struct of this assembly is left out of the precompiled
    // (ReadyToRun) image and JIT-compiled at every start.
    public FileChunk[] Chunks { get; }
    /// <summary>At most how many data rows the file holds (see <see cref="RowCapacity"/>).</summary>
    public int Capacity { get; }
    public bool HasQuote { get; }

    /// <summary>Whether <see cref="Chunks"/> may be parsed apart: no quotes, and more than one part.</summary>
    public bool CanSplit => !HasQuote && Chunks.Length > 1;

    /// <summary>Scans <paramref name="path"/>, aiming for <paramref name="parts"/> parts of at least <paramref name="minPartBytes"/> bytes.</summary>
    public static FileChunks Of(string path, int parts, long minPartBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long length = stream.Length;
        parts = (int)Math.Clamp(length / Math.Max(1, minPartBytes), 1, Math.Max(1, parts));
        // Each cut's offset (just past a line feed) and the line feeds before it.
        var cutOffsets = new List<long>();
        var cutFeeds = new List<long>();
        long nextTarget = parts > 1 ? length / parts : long.MaxValue;
        var buffer = new byte[1 << 20];
        long position = 0, lineFeeds = 0;
        bool hasQuote = false;
        byte last = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            hasQuote |= span.Contains((byte)'"');
            int from = 0;
            // Cut at the first line feed at or past each target; a UTF-8 multi-byte sequence never holds the byte 0x0A.
            while (nextTarget < position + read)
            {
                int searchFrom = (int)Math.Max(from, nextTarget - position);
                int found = span[searchFrom..].IndexOf((byte)'\n');
                if (found < 0) break;
                int cut = searchFrom + found + 1;
                lineFeeds += span[from..cut].Count((byte)'\n');
                from = cut;
                cutOffsets.Add(position + cut);
                cutFeeds.Add(lineFeeds);
                nextTarget = cutOffsets.Count < parts - 1 ? Math.Max(position + cut, (cutOffsets.Count + 1) * length / parts) : long.MaxValue;
            }
            lineFeeds += span[from..].Count((byte)'\n');
            last = span[^1];
            position += read;
        }
        if (cutOffsets.Count > 0 && cutOffsets[^1] >= length)
        {
            cutOffsets.RemoveAt(cutOffsets.Count - 1);
            cutFeeds.RemoveAt(cutFeeds.Count - 1);
        }
        int cuts = cutOffsets.Count;

        bool endsWithLineFeed = last == '\n';
        var chunks = new FileChunk[cuts + 1];
        long start = 0, feedsBefore = 0;
        for (int k = 0; k <= cuts; k++)
        {
            long end = k < cuts ? cutOffsets[k] : length;
            long feedsAfter = k < cuts ? cutFeeds[k] : lineFeeds;
            // Lines in the part: its line feeds, and a last line without one. The first part's first line is the header.
            long lines = feedsAfter - feedsBefore + (k == cuts && !endsWithLineFeed && length > 0 ? 1 : 0);
            if (k == 0) lines--;
            chunks[k] = new FileChunk(start, end - start, k == 0 ? 2 : (int)Math.Min(int.MaxValue, feedsBefore + 1),
                (int)Math.Clamp(lines, 0, Array.MaxLength));
            start = end;
            feedsBefore = feedsAfter;
        }
        return new FileChunks(chunks, RowCapacity.FromLineFeeds(lineFeeds, endsWithLineFeed), hasQuote);
    }
}

namespace GlmmGpu.Data.Csv;

/// <summary>
/// Interns a column's strings: factor columns repeat a few levels over millions of rows, so each distinct
/// value is allocated once and looked up from the reader's span without allocating.
/// </summary>
internal sealed class StringPool
{
    private readonly HashSet<string> set = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup;

    public StringPool() => lookup = set.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The distinct strings so far.</summary>
    public IReadOnlyCollection<string> Values => set;

    public string Get(ReadOnlySpan<char> text)
    {
        if (lookup.TryGetValue(text, out var s)) return s;
        s = text.ToString();
        set.Add(s);
        return s;
    }
}

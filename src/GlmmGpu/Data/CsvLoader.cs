namespace GlmmGpu.Data;

/// <summary>Options for reading CSV.</summary>
public sealed record CsvOptions
{
    /// <summary>Numeric columns to treat as factors.</summary>
    public IReadOnlyCollection<string> Factors { get; init; } = Array.Empty<string>();
    /// <summary>Read only these columns (null: all). Saves memory on wide files.</summary>
    public IReadOnlyCollection<string>? Columns { get; init; }
}

/// <summary>Reads RFC 4180 CSV into a column store.</summary>
public static class CsvLoader
{
    public static DataTable Load(string path, CsvOptions? options = null) => throw new NotImplementedException("csv: in progress");
    public static DataTable Load(TextReader reader, CsvOptions? options = null) => throw new NotImplementedException("csv: in progress");
}

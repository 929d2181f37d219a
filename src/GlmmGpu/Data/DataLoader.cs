namespace GlmmGpu.Data;

/// <summary>
/// Loads a data file by its extension: <c>.parquet</c> or <c>.pq</c> through <see cref="ParquetLoader"/>,
/// anything else as CSV through <see cref="CsvLoader"/>. The command line reads every <c>--data</c> file here.
/// </summary>
public static class DataLoader
{
    public static DataTable Load(string path, CsvOptions? options = null) =>
        IsParquet(path) ? ParquetLoader.Load(path, options) : CsvLoader.Load(path, options);

    /// <summary>Whether the path names a Parquet file (by extension, case-insensitive).</summary>
    public static bool IsParquet(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase) || extension.Equals(".pq", StringComparison.OrdinalIgnoreCase);
    }
}

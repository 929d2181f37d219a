using System.Security.Cryptography;

namespace GlmmGpu.Data;

/// <summary>
/// Which file a fit read, precisely enough for a likelihood-ratio test to refuse fits of different data: the path
/// as given, its size and the SHA-256 of its bytes, and the rows it held. Saved in the fit's JSON.
/// </summary>
public sealed record DataFileIdentity(string Path, long Bytes, string Sha256, int RowsRead)
{
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>Hash the file (one sequential read of its bytes) and note the rows the loader read from it.</summary>
    public static DataFileIdentity Of(string path, int rowsRead)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        var hash = SHA256.HashData(stream);
        return new DataFileIdentity(path, stream.Length, Convert.ToHexStringLower(hash), rowsRead);
    }
}

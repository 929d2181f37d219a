namespace GlmmGpu.Cli;

/// <summary>
/// Checks, before any work, that a command can write the file an option names (<c>--json</c>, <c>--out</c>): not a
/// directory, in a directory that exists, writable, and not one of the command's own input files, which it would
/// overwrite. A fit of an hour must not fail at its last step.
/// </summary>
internal static class OutputFile
{
    /// <param name="option">The option, without dashes: <c>json</c>.</param>
    /// <param name="path">The file it names.</param>
    /// <param name="inputs">The command's input files by option: (<c>data</c>, path).</param>
    public static void Check(string option, string path, params (string Option, string Path)[] inputs)
    {
        var full = Path.GetFullPath(path);
        foreach (var (inputOption, inputPath) in inputs)
            if (string.Equals(full, Path.GetFullPath(inputPath), StringComparison.Ordinal))
                throw new UsageException($"option --{option} '{path}' is the --{inputOption} file, which it would overwrite; give another file name");
        if (Directory.Exists(path))
            throw new GlmmException($"--{option} '{path}' is a directory; give a file name");
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
            throw new GlmmException($"cannot write --{option} '{path}': directory '{dir}' does not exist");
        bool exists = File.Exists(full);
        try
        {
            if (exists)
            {
                // Opened for writing without truncating: the file keeps its contents until the command writes it.
                using var existing = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            }
            else
            {
                using var probe = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GlmmException($"cannot write --{option} '{path}': {(exists ? "the file cannot be opened for writing" : "no file can be created there")} ({e.Message})");
        }
    }
}

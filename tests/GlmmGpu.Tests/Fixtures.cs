using System.Text.Json;

namespace GlmmGpu.Tests;

/// <summary>The reference data and fits under Fixtures/, copied next to the test assembly.</summary>
public static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static JsonElement Json(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path(name)));
        return doc.RootElement.Clone();
    }

    /// <summary>Names of every fixture file with the given extension ("json", "csv").</summary>
    public static IEnumerable<string> Names(string extension) =>
        Directory.EnumerateFiles(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*." + extension)
            .Select(p => System.IO.Path.GetFileName(p)!)
            .Order(StringComparer.Ordinal);
}

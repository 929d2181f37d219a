using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Data.Csv;
using Xunit;

namespace GlmmGpu.Tests.Data;

/// <summary>
/// Loads one CSV text every way the loader can read it: as text, as a file in one go, and (when it has no quotes)
/// as a file cut into parts; errors are compared with the file's name taken out.
/// </summary>
internal static class CsvRoutes
{
    private static readonly int[] PartCounts = [2, 3, 7];

    /// <summary>The tables from every route, after checking that the parts path really cut the file.</summary>
    public static List<DataTable> LoadAll(byte[] bytes, CsvOptions? options = null, bool withText = true)
    {
        var tables = new List<DataTable>();
        if (withText) tables.Add(CsvLoader.Load(new StringReader(new UTF8Encoding(false).GetString(bytes)), options));
        WithFile(bytes, path =>
        {
            tables.Add(CsvLoader.Load(path, options, 1, CsvLoader.MinPartBytes));
            if (FileChunks.Of(path, 2, 1).CanSplit)
            {
                foreach (int parts in PartCounts)
                {
                    Assert.True(FileChunks.Of(path, parts, 1).CanSplit);
                    tables.Add(CsvLoader.Load(path, options, parts, 1));
                }
            }
        });
        return tables;
    }

    public static List<DataTable> LoadAll(string text, CsvOptions? options = null) => LoadAll(Encoding.UTF8.GetBytes(text), options);

    /// <summary>
    /// The error every route gives (the file's routes only when <paramref name="withText"/> is false), checked to be the
    /// same sentence on each, with the source written as SOURCE.
    /// </summary>
    public static string ErrorOfAll(byte[] bytes, CsvOptions? options = null, bool withText = true)
    {
        var messages = new List<string>();
        if (withText)
            messages.Add(Assert.Throws<GlmmException>(() =>
                CsvLoader.Load(new StringReader(new UTF8Encoding(false).GetString(bytes)), options)).Message.Replace("the CSV text", "SOURCE"));
        WithFile(bytes, path =>
        {
            string Load(int parts, long minBytes) =>
                Assert.Throws<GlmmException>(() => CsvLoader.Load(path, options, parts, minBytes)).Message.Replace($"data file '{path}'", "SOURCE");
            messages.Add(Load(1, CsvLoader.MinPartBytes));
            foreach (int parts in PartCounts) messages.Add(Load(parts, 1));
        });
        foreach (var m in messages) Assert.Equal(messages[^1], m);
        return messages[^1];
    }

    public static string ErrorOfAll(string text, CsvOptions? options = null) => ErrorOfAll(Encoding.UTF8.GetBytes(text), options);

    public static void WithFile(byte[] bytes, Action<string> use)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

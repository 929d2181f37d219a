using GlmmGpu.Data;
using Parquet;
using Parquet.Schema;

namespace GlmmGpu.Tests.Data;

/// <summary>Writes a <see cref="DataTable"/> as Parquet with Parquet.Net, in row groups of a given size, for the loader's tests.</summary>
internal static class ParquetFiles
{
    /// <summary>Numbers as nullable doubles (a missing value as null, a flagged NaN or Inf as itself), strings as nullable strings.</summary>
    public static void Write(DataTable table, string path, int rowGroupSize, CompressionMethod compression = CompressionMethod.Snappy)
    {
        var fields = table.Columns.Select(c => c is NumericColumn ? (DataField)new DataField<double?>(c.Name) : new DataField<string>(c.Name, nullable: true)).ToArray();
        var schema = new ParquetSchema(fields);
        WriteAsync(table, path, schema, rowGroupSize, compression).GetAwaiter().GetResult();
    }

    private static async Task WriteAsync(DataTable table, string path, ParquetSchema schema, int rowGroupSize, CompressionMethod compression)
    {
        using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = compression });
        for (int start = 0; start < table.RowCount; start += rowGroupSize)
        {
            int n = Math.Min(rowGroupSize, table.RowCount - start);
            using var group = writer.CreateRowGroup();
            for (int c = 0; c < table.Columns.Count; c++)
            {
                switch (table.Columns[c])
                {
                    case NumericColumn numbers:
                        var values = new double?[n];
                        for (int i = 0; i < n; i++)
                            values[i] = numbers.IsMissing(start + i) ? null : numbers.Values[start + i];
                        await group.WriteAsync<double>(schema.DataFields[c], values.AsMemory());
                        break;
                    case StringColumn strings:
                        await group.WriteAsync(schema.DataFields[c], strings.Values.Skip(start).Take(n).ToArray());
                        break;
                }
            }
        }
    }

    /// <summary>A temporary file name with the given extension, deleted by the caller.</summary>
    public static string TempPath(string extension = ".parquet") =>
        Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}{extension}");
}

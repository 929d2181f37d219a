using GlmmGpu.Fitting.Bayes;
using Parquet;
using Parquet.Schema;

namespace GlmmGpu.Results;

/// <summary>
/// The draws as Parquet, in the columns and order of <see cref="DrawsTable.Posterior"/> (the chain, iteration and draw
/// numbers and Stan's integer sampler columns as 32-bit integers, the rest as doubles), one row group: for draws
/// files too large to read back quickly as text (arrow::read_parquet, pandas.read_parquet).
/// </summary>
public static class PosteriorDrawsParquet
{
    public static void Write(PosteriorResult p, string path) => ParquetTable.Write(path, DrawsTable.Posterior(p));
}

/// <summary>Random-effect draws as Parquet, the long layout of <see cref="DrawsTable.RandomEffects"/>.</summary>
public static class RandomEffectDrawsParquet
{
    public static void Write(RandomEffectDrawSet set, string path) => ParquetTable.Write(path, DrawsTable.RandomEffects(set));
}

/// <summary>Whole columns written as one Parquet row group.</summary>
internal static class ParquetTable
{
    public static void Write(string path, IReadOnlyList<DrawsColumn> columns) =>
        WriteAsync(path, columns.Select(c => (Field(c), c.Values)).ToArray()).GetAwaiter().GetResult();

    private static DataField Field(DrawsColumn column) => column.Values switch
    {
        int[] => new DataField<int>(column.Name),
        double[] => new DataField<double>(column.Name),
        string[] => new DataField<string>(column.Name),
        _ => throw new ArgumentException($"column {column.Name}: {column.Values.GetType().Name} is not written"),
    };

    private static async Task WriteAsync(string path, IReadOnlyList<(DataField Field, Array Values)> columns)
    {
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray());
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        foreach (var (field, values) in columns)
        {
            var write = values switch
            {
                int[] ints => group.WriteAsync<int>(field, ints.AsMemory()),
                double[] doubles => group.WriteAsync<double>(field, doubles.AsMemory()),
                string[] strings => group.WriteAsync(field, strings),
                _ => throw new ArgumentException($"column {field.Name}: {values.GetType().Name} is not written"),
            };
            await write;
        }
    }
}

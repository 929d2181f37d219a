using GlmmGpu.Fitting.Bayes;
using Parquet;
using Parquet.Schema;

namespace GlmmGpu.Results;

/// <summary>
/// The draws as Parquet, in the columns and order of <see cref="PosteriorDrawsCsv"/> (the chain, iteration and draw
/// numbers and Stan's integer sampler columns as 32-bit integers, the rest as doubles; NUTS's draws only have sampler
/// columns), one row group: for draws
/// files too large to read back quickly as text (arrow::read_parquet, pandas.read_parquet).
/// </summary>
public static class PosteriorDrawsParquet
{
    public static void Write(PosteriorResult p, string path)
    {
        int rows = p.Draws.Sum(chain => chain.Length);
        var chain = new int[rows];
        var iteration = new int[rows];
        var draw = new int[rows];
        var quantities = p.DrawNames.Select(_ => new double[rows]).ToArray();
        var logDensity = new double[rows];
        var accept = new double[rows];
        var stepSize = new double[rows];
        var treeDepth = new int[rows];
        var leapfrogs = new int[rows];
        var divergent = new int[rows];
        var energy = new double[rows];
        // A grid's draws are independent: no sampler columns.
        bool sampled = p.Sampler is not null;
        int r = 0;
        for (int c = 0; c < p.Draws.Length; c++)
            for (int i = 0; i < p.Draws[c].Length; i++, r++)
            {
                chain[r] = c + 1;
                iteration[r] = i + 1;
                draw[r] = r + 1;
                for (int k = 0; k < quantities.Length; k++) quantities[k][r] = p.Draws[c][i][k];
                if (!sampled) continue;
                var s = p.Stats[c][i];
                logDensity[r] = s.LogDensity;
                accept[r] = s.AcceptStat;
                stepSize[r] = s.StepSize;
                treeDepth[r] = s.TreeDepth;
                leapfrogs[r] = s.Leapfrogs;
                divergent[r] = s.Divergent ? 1 : 0;
                energy[r] = s.Energy;
            }
        var columns = new List<(DataField Field, Array Values)>
        {
            (new DataField<int>(".chain"), chain), (new DataField<int>(".iteration"), iteration), (new DataField<int>(".draw"), draw),
        };
        for (int k = 0; k < quantities.Length; k++) columns.Add((new DataField<double>(p.DrawNames[k]), quantities[k]));
        if (!sampled)
        {
            ParquetTable.Write(path, columns);
            return;
        }
        columns.Add((new DataField<double>("lp__"), logDensity));
        columns.Add((new DataField<double>("accept_stat__"), accept));
        columns.Add((new DataField<double>("stepsize__"), stepSize));
        columns.Add((new DataField<int>("treedepth__"), treeDepth));
        columns.Add((new DataField<int>("n_leapfrog__"), leapfrogs));
        columns.Add((new DataField<int>("divergent__"), divergent));
        columns.Add((new DataField<double>("energy__"), energy));
        ParquetTable.Write(path, columns);
    }
}

/// <summary>Random-effect draws as Parquet, the long layout of <see cref="RandomEffectDrawsCsv"/>.</summary>
public static class RandomEffectDrawsParquet
{
    public static void Write(RandomEffectDrawSet set, string path)
    {
        int q = set.Terms.Length, rows = set.Values.Length * set.Levels.Length * q, r = 0;
        var chain = new int[rows];
        var iteration = new int[rows];
        var level = new string[rows];
        var term = new string[rows];
        var value = new double[rows];
        for (int k = 0; k < set.Values.Length; k++)
            for (int g = 0; g < set.Levels.Length; g++)
                for (int d = 0; d < q; d++, r++)
                {
                    chain[r] = set.Chain[k] + 1;
                    iteration[r] = set.Iteration[k] + 1;
                    level[r] = set.Levels[g];
                    term[r] = set.Terms[d];
                    value[r] = set.Values[k][g * q + d];
                }
        ParquetTable.Write(path,
        [
            (new DataField<int>(".chain"), chain), (new DataField<int>(".iteration"), iteration),
            (new DataField<string>(set.Factor), level), (new DataField<string>("term"), term), (new DataField<double>("value"), value),
        ]);
    }
}

/// <summary>Whole columns written as one Parquet row group.</summary>
internal static class ParquetTable
{
    public static void Write(string path, IReadOnlyList<(DataField Field, Array Values)> columns) =>
        WriteAsync(path, columns).GetAwaiter().GetResult();

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

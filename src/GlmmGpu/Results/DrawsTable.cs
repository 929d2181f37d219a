using System.Globalization;
using System.Text;
using GlmmGpu.Fitting.Bayes;

namespace GlmmGpu.Results;

/// <summary>One column of a draws file: integers, doubles or strings, one value per row.</summary>
public sealed record DrawsColumn(string Name, Array Values)
{
    /// <summary>Row r as CSV text: integers as written, doubles to round-trip (NA where not finite), strings quoted where needed.</summary>
    public string Format(int r) => Values switch
    {
        int[] ints => ints[r].ToString(CultureInfo.InvariantCulture),
        double[] doubles => double.IsFinite(doubles[r]) ? doubles[r].ToString("R", CultureInfo.InvariantCulture) : "NA",
        string[] strings => DrawsTable.Quote(strings[r]),
        _ => throw new InvalidOperationException($"column {Name}: {Values.GetType().Name} values"),
    };
}

/// <summary>
/// The draws files' layout, made once for both formats (<see cref="DrawsTable.WriteCsv"/>, <see cref="PosteriorDrawsParquet"/>).
/// The posterior's draws after warm-up, one row per draw: <c>.chain, .iteration, .draw</c> (as R's posterior package
/// names them), every quantity (coefficients, <c>sd(g, x)</c>, <c>corr(g, x, y)</c>, the dispersion), then Stan's
/// sampler columns <c>lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__</c> (NUTS's
/// draws only: a grid's are independent, <c>.chain</c> 1). Random-effect draws in the long layout
/// <c>.chain, .iteration, FACTOR, term, value</c>, one row per draw, level and term.
/// </summary>
public static class DrawsTable
{
    public static IReadOnlyList<DrawsColumn> Posterior(PosteriorResult p)
    {
        int rows = p.Draws.Sum(chain => chain.Length);
        var chain = new int[rows];
        var iteration = new int[rows];
        var draw = new int[rows];
        var quantities = p.DrawNames.Select(_ => new double[rows]).ToArray();
        bool sampled = p.Sampler is not null;
        var logDensity = new double[rows];
        var accept = new double[rows];
        var stepSize = new double[rows];
        var treeDepth = new int[rows];
        var leapfrogs = new int[rows];
        var divergent = new int[rows];
        var energy = new double[rows];
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
        var columns = new List<DrawsColumn> { new(".chain", chain), new(".iteration", iteration), new(".draw", draw) };
        for (int k = 0; k < quantities.Length; k++) columns.Add(new DrawsColumn(p.DrawNames[k], quantities[k]));
        if (!sampled) return columns;
        columns.AddRange([
            new("lp__", logDensity), new("accept_stat__", accept), new("stepsize__", stepSize), new("treedepth__", treeDepth),
            new("n_leapfrog__", leapfrogs), new("divergent__", divergent), new("energy__", energy),
        ]);
        return columns;
    }

    public static IReadOnlyList<DrawsColumn> RandomEffects(RandomEffectDrawSet set)
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
        return [new(".chain", chain), new(".iteration", iteration), new(set.Factor, level), new("term", term), new("value", value)];
    }

    /// <summary>The columns as CSV with a header row (UTF-8, no byte-order mark, "\n" line ends).</summary>
    public static void WriteCsv(IReadOnlyList<DrawsColumn> columns, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        WriteCsv(columns, writer);
    }

    public static void WriteCsv(IReadOnlyList<DrawsColumn> columns, TextWriter w)
    {
        w.Write(string.Join(',', columns.Select(c => Quote(c.Name))));
        w.Write('\n');
        int rows = columns.Count == 0 ? 0 : columns[0].Values.Length;
        var sb = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            sb.Clear();
            for (int c = 0; c < columns.Count; c++)
            {
                if (c > 0) sb.Append(',');
                sb.Append(columns[c].Format(r));
            }
            w.Write(sb.Append('\n'));
        }
    }

    internal static string Quote(string name) => name.Contains(',') || name.Contains('"') ? "\"" + name.Replace("\"", "\"\"") + "\"" : name;
}

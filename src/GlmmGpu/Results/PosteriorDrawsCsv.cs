using System.Globalization;
using System.Text;
using GlmmGpu.Fitting.Bayes;

namespace GlmmGpu.Results;

/// <summary>
/// The draws after warm-up as CSV, one row per draw: <c>.chain, .iteration, .draw</c> (as R's posterior package
/// names them), every quantity (coefficients, <c>sd(g, x)</c>, <c>corr(g, x, y)</c>, the dispersion), then Stan's
/// sampler columns <c>lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__</c> (NUTS's
/// draws only: a grid's are independent, <c>.chain</c> 1). Numbers are
/// written to round-trip (R reads them back to the same doubles).
/// </summary>
public static class PosteriorDrawsCsv
{
    public static void Write(PosteriorResult posterior, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(posterior, writer);
    }

    public static void Write(PosteriorResult p, TextWriter w)
    {
        var header = new List<string> { ".chain", ".iteration", ".draw" };
        header.AddRange(p.DrawNames.Select(Quote));
        // A grid's draws are independent: no sampler columns.
        bool sampled = p.Sampler is not null;
        if (sampled) header.AddRange(["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"]);
        w.Write(string.Join(',', header));
        w.Write('\n');
        var sb = new StringBuilder();
        int draw = 0;
        for (int c = 0; c < p.Draws.Length; c++)
            for (int i = 0; i < p.Draws[c].Length; i++)
            {
                sb.Clear();
                sb.Append(c + 1).Append(',').Append(i + 1).Append(',').Append(++draw);
                foreach (var v in p.Draws[c][i]) sb.Append(',').Append(R(v));
                if (!sampled)
                {
                    w.Write(sb.Append('\n'));
                    continue;
                }
                var s = p.Stats[c][i];
                sb.Append(',').Append(R(s.LogDensity)).Append(',').Append(R(s.AcceptStat)).Append(',').Append(R(s.StepSize))
                    .Append(',').Append(s.TreeDepth).Append(',').Append(s.Leapfrogs).Append(',').Append(s.Divergent ? 1 : 0)
                    .Append(',').Append(R(s.Energy));
                sb.Append('\n');
                w.Write(sb);
            }
    }

    private static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NA";

    private static string Quote(string name) => name.Contains(',') || name.Contains('"') ? "\"" + name.Replace("\"", "\"\"") + "\"" : name;
}

/// <summary>Random-effect draws as long CSV: <c>.chain, .iteration, level, term, value</c>, one row per draw, level and term.</summary>
public static class RandomEffectDrawsCsv
{
    public static void Write(RandomEffectDrawSet set, string path)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.Write($".chain,.iteration,{Quote(set.Factor)},term,value\n");
        int q = set.Terms.Length;
        var sb = new StringBuilder();
        for (int k = 0; k < set.Values.Length; k++)
            for (int g = 0; g < set.Levels.Length; g++)
                for (int d = 0; d < q; d++)
                {
                    sb.Clear();
                    sb.Append(set.Chain[k] + 1).Append(',').Append(set.Iteration[k] + 1).Append(',').Append(Quote(set.Levels[g])).Append(',')
                        .Append(Quote(set.Terms[d])).Append(',').Append(set.Values[k][g * q + d].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                    w.Write(sb);
                }
    }

    private static string Quote(string name) => name.Contains(',') || name.Contains('"') ? "\"" + name.Replace("\"", "\"\"") + "\"" : name;
}

using System.Globalization;
using GlmmGpu.Inference;
using GlmmGpu.Results;

namespace GlmmGpu.Cli;

/// <summary>
/// <c>glmm ranef</c>: a saved fit's conditional modes with their conditional SDs and intervals, as lme4's
/// <c>ranef(m, condVar = TRUE)</c> read through <c>as.data.frame</c>; printed, and written as CSV with <c>--csv</c>.
/// </summary>
public static class RanefCommand
{
    public const string Name = "glmm ranef";

    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("level", "L", "the intervals' coverage (default 0.95): mode ± qnorm((1 + L) / 2) conditional SDs"),
        new("csv", "OUT.csv", "also write the table as CSV: grpvar, term, grp, condval, condsd, lower, upper"),
        new("help", null, "show this help", ShortName: "h"),
    };

    public static string Help =>
        "glmm ranef: the conditional modes of a saved fit's random effects, with intervals\n\n" +
        "Usage:\n" +
        "  glmm ranef FIT.json [--level 0.95] [--csv OUT.csv]\n\n" +
        "For each grouping factor, term and level: the conditional mode (lme4's condval), its conditional\n" +
        "SD (condsd, from lme4's condVar: the inverse of the penalised Hessian at the modes; for the linear\n" +
        "mixed model and PQL at the estimated fixed effects) and the interval mode ± z condsd.\n\n" +
        "Options:\n" +
        ArgumentParser.FormatOptions(Options) +
        "\nExample:\n" +
        "  glmm fit --data cbpp.csv --family binomial --json cbpp.json \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ period + (1 | herd)\"\n" +
        "  glmm ranef cbpp.json --level 0.9 --csv herds.csv\n\n" +
        "Exit status: 0 on success, 1 when the file is not a fit, 2 for a usage error.\n";

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        if (ArgumentParser.WantsHelp(args))
        {
            ctx.Out.Write(Help);
            return CliProgram.Success;
        }
        var a = ArgumentParser.Parse(args, Options, Name, maxPositionals: 1);
        if (a.Positionals.Count != 1)
            throw new UsageException($"'{Name}' needs one fit's JSON file (see '{Name} --help')");
        var fitPath = a.Positionals[0];
        double level = ParseLevel(a.Value("level"));
        var csvPath = a.Value("csv");
        if (csvPath is not null) OutputFile.Check("csv", csvPath, ("fit", fitPath));
        var rows = ConditionalModeIntervals.Read(fitPath, level);
        Write(rows, level, ctx.Out);
        ctx.Out.Flush();
        if (csvPath is not null)
        {
            WriteCsv(rows, csvPath);
            ctx.Note($"wrote {rows.Count} rows to {csvPath}");
        }
        return CliProgram.Success;
    }

    public static double ParseLevel(string? text)
    {
        if (text is null) return 0.95;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var level) || !(level > 0 && level < 1))
            throw new UsageException($"option --level: '{text}' is not a coverage strictly between 0 and 1 (e.g. 0.95)");
        return level;
    }

    /// <summary>One table per factor and term, columns as R's data frame prints them (7 significant digits).</summary>
    private static void Write(IReadOnlyList<ConditionalModeInterval> rows, double level, TextWriter output)
    {
        string lowerName = Percent((1 - level) / 2), upperName = Percent((1 + level) / 2);
        foreach (var group in rows.GroupBy(r => (r.Factor, r.Term)))
        {
            var items = group.ToArray();
            output.WriteLine($"${group.Key.Factor}: {group.Key.Term}");
            var columns = new (string Header, string[] Cells)[]
            {
                ("condval", RFormat.Format(items.Select(r => r.Mode).ToArray())),
                ("condsd", RFormat.Format(items.Select(r => r.ConditionalSd).ToArray())),
                (lowerName, RFormat.Format(items.Select(r => r.Lower).ToArray())),
                (upperName, RFormat.Format(items.Select(r => r.Upper).ToArray())),
            };
            int nameWidth = items.Max(r => r.Level.Length);
            var widths = columns.Select(c => Math.Max(c.Header.Length, c.Cells.Max(s => s.Length))).ToArray();
            output.WriteLine(new string(' ', nameWidth) + string.Concat(columns.Select((c, k) => " " + c.Header.PadLeft(widths[k]))));
            for (int i = 0; i < items.Length; i++)
                output.WriteLine(items[i].Level.PadRight(nameWidth) + string.Concat(columns.Select((c, k) => " " + c.Cells[i].PadLeft(widths[k]))));
            output.WriteLine();
        }
    }

    private static string Percent(double p) => RFormat.Format(100 * p, 3).Trim() + " %";

    private static void WriteCsv(IReadOnlyList<ConditionalModeInterval> rows, string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("grpvar,term,grp,condval,condsd,lower,upper");
        foreach (var r in rows)
            w.WriteLine(string.Join(",", Quote(r.Factor), Quote(r.Term), Quote(r.Level),
                Num(r.Mode), Num(r.ConditionalSd), Num(r.Lower), Num(r.Upper)));
    }

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NA";

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}

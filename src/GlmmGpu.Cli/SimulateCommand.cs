using System.Diagnostics;
using System.Globalization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;

namespace GlmmGpu.Cli;

/// <summary><c>glmm simulate</c>: write a synthetic data set with known parameters (printed to stderr).</summary>
public static class SimulateCommand
{
    public const string Name = "glmm simulate";

    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("rows", "N", "number of rows (required)"),
        new("groups", "G", "number of groups; rows are split evenly among them (required); or, repeated,\n" +
            "NAME=LEVELS for crossed factors and NAME=LEVELS/PARENT for LEVELS levels within each\nlevel of PARENT (nested)", Repeatable: true),
        new("family", "NAME", "binomial (0/1), poisson, gaussian, gamma, negbin or inverse.gaussian (required)"),
        new("link", "NAME", "the link (default: the family's usual one)"),
        new("slopes", null, "add an uncorrelated random slope on x1 (SD half the intercept's), for every factor"),
        new("sd", "S", "random-intercept SD on the linear-predictor scale (default 0.8); NAME=S for one\nfactor (repeatable)", Repeatable: true),
        new("slope-sd", "NAME=S", "an uncorrelated random slope on x1 with SD S for factor NAME (repeatable)", Repeatable: true),
        new("seed", "K", "random seed (default 1); the file depends only on the options"),
        new("out", "FILE.csv", "where to write the CSV (required); columns g (or the factors), x1..x4, y"),
        new("help", null, "show this help", ShortName: "h"),
    };

    public static string Help =>
        "glmm simulate: write a synthetic GLMM data set\n\n" +
        "Usage:\n" +
        "  glmm simulate --rows N --groups G --family F [--link L] [--slopes] [--sd S] [--seed K] --out FILE.csv\n" +
        "  glmm simulate --rows N --groups NAME=L [--groups NAME=L[/PARENT] ...] --family F [--sd [NAME=]S ...]\n" +
        "                [--slopes | --slope-sd NAME=S ...] [--seed K] --out FILE.csv\n\n" +
        "x1..x3 are standard normal, x4 is 0/1, the linear predictor is\n" +
        "-0.5 + 0.5 x1 - 0.3 x2 + 0.2 x3 + 0.4 x4 + b_g (+ s_g x1 with --slopes),\n" +
        "with one b (and s) per grouping factor. The first factor splits the rows into runs, a factor nested\n" +
        "in it splits its runs, and any other factor is crossed: each row's level drawn at random.\n" +
        "Example: --groups subj=300 --groups item=40 (crossed); --groups school=50 --groups class=4/school\n" +
        "(nested, fitted as (1 | school/class)).\n" +
        "The true parameters and the formula to fit are printed to stderr.\n\n" +
        "Options:\n" +
        ArgumentParser.FormatOptions(Options);

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        if (ArgumentParser.WantsHelp(args))
        {
            ctx.Out.Write(Help);
            return 0;
        }
        var a = ArgumentParser.Parse(args, Options, Name);
        int rows = FitCommand.Integer("rows", Required(a, "rows"), 1, int.MaxValue, "rows");
        Required(a, "groups");
        bool named = SimulatedFactorArguments.NamesFactors(a.Values("groups"));
        int groups = named ? 0 : FitCommand.Integer("groups", a.Value("groups")!, 2, int.MaxValue, "groups");
        if (!named && a.Has("slope-sd")) throw new UsageException("option --slope-sd names a factor: give the factors as --groups NAME=LEVELS");
        var family = FitCommand.Parse("family", Required(a, "family"), FamilyNames.ParseFamily);
        LinkKind? link = a.Value("link") is { } l ? FitCommand.Parse("link", l, FamilyNames.ParseLink) : null;
        double sd = SimulatedFactorArguments.DefaultSd;
        if (!named && a.Values("sd").Count > 1) throw new UsageException("option --sd is given once for a single factor (NAME=S with several factors)");
        if (!named && a.Value("sd") is { } s && (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out sd) || !(sd >= 0) || double.IsInfinity(sd)))
            throw new UsageException($"option --sd needs a non-negative number, not '{s}'");
        int seed = a.Value("seed") is { } k ? FitCommand.Integer("seed", k, int.MinValue, int.MaxValue, "seed") : 1;
        var path = Required(a, "out");
        var spec = new SimulationSpec(rows, groups, family, link, a.Has("slopes"), sd, seed)
        {
            Factors = named ? SimulatedFactorArguments.Parse(a.Values("groups"), a.Values("sd"), a.Has("slopes"), a.Values("slope-sd")) : null,
        };
        try
        {
            Simulator.Check(spec);
        }
        catch (GlmmException e)
        {
            throw new UsageException(e.Message);
        }
        OutputFile.Check("out", path);
        var clock = Stopwatch.StartNew();
        SimulationTruth truth;
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            truth = Simulator.Write(spec, stream);
        ctx.Error.Write(truth.ToString());
        string grouping = named ? string.Join(" and ", truth.Terms.Select(t => $"{t.Levels} levels of {t.Grouping}")) : $"{groups} groups";
        ctx.Error.WriteLine($"wrote {rows} rows in {grouping} to {path} ({clock.Elapsed.TotalSeconds:F2} s)");
        return 0;
    }

    private static string Required(ParsedArguments a, string name) =>
        a.Value(name) ?? throw new UsageException($"option --{name} is required; see '{Name} --help'");
}

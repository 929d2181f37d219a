using GlmmGpu.Inference;
using GlmmGpu.Results;

namespace GlmmGpu.Cli;

/// <summary>
/// <c>glmm anova</c>: likelihood-ratio tests between nested fits saved by <c>glmm fit --json</c>, as lme4's
/// <c>anova(m0, m1, ...)</c>; fits that cannot be compared (different data, PQL, REML with different fixed effects)
/// are refused with the reason.
/// </summary>
public static class AnovaCommand
{
    public const string Name = "glmm anova";

    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("json", "OUT.json", "also write the table as JSON to this file"),
        new("help", null, "show this help", ShortName: "h"),
    };

    public static string Help =>
        "glmm anova: likelihood-ratio tests between nested fits, as lme4's anova(m0, m1)\n\n" +
        "Usage:\n" +
        "  glmm anova FIT0.json FIT1.json [FIT2.json ...] [--json OUT.json]\n\n" +
        "The fits (written by 'glmm fit --json') are ordered by their number of parameters and each is\n" +
        "tested against the one before: Chisq = 2 (logLik1 - logLik0) on the difference in parameters.\n" +
        "They must be fits of one data file (its size and SHA-256 are saved in the JSON) with the same\n" +
        "rows, response, family, link and likelihood (method and --nagq); PQL fits have no likelihood;\n" +
        "REML fits compare only with the same fixed effects (refit with --method ml, as lme4 does).\n" +
        "Like lme4, the p-value takes the chi-square distribution, which is conservative when the larger\n" +
        "model adds a variance (the null value is on the boundary).\n\n" +
        "Options:\n" +
        ArgumentParser.FormatOptions(Options) +
        "\nExample:\n" +
        "  glmm fit --data cbpp.csv --family binomial --json m0.json \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ 1 + (1 | herd)\"\n" +
        "  glmm fit --data cbpp.csv --family binomial --json m1.json \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ period + (1 | herd)\"\n" +
        "  glmm anova m0.json m1.json\n\n" +
        "Exit status: 0 on success, 1 when the fits cannot be compared, 2 for a usage error.\n";

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        if (ArgumentParser.WantsHelp(args))
        {
            ctx.Out.Write(Help);
            return CliProgram.Success;
        }
        var a = ArgumentParser.Parse(args, Options, Name, maxPositionals: int.MaxValue);
        if (a.Positionals.Count < 2)
            throw new UsageException($"'{Name}' needs at least two fits' JSON files (see '{Name} --help')");
        var jsonPath = a.Value("json");
        if (jsonPath is not null)
            OutputFile.Check("json", jsonPath, a.Positionals.Select(p => ("fit", p)).ToArray());
        var table = LikelihoodRatioTest.Compare(a.Positionals.Select(ComparedFitJson.Read).ToArray());
        AnovaFormatter.Write(table, ctx.Out);
        ctx.Out.Flush();
        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, AnovaJson.ToJson(table));
            ctx.Note($"wrote {jsonPath}");
        }
        return CliProgram.Success;
    }
}

using System.Diagnostics;
using GlmmGpu.Data;
using GlmmGpu.Prediction;

namespace GlmmGpu.Cli;

/// <summary>
/// <c>glmm predict</c>: read a fit's JSON (from <c>glmm fit --json</c>) and new data, and write one prediction
/// per row as CSV, as lme4's <c>predict(fit, newdata, type, re.form, allow.new.levels = TRUE)</c>.
/// </summary>
public static class PredictCommand
{
    public const string Name = "glmm predict";

    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("model", "FIT.json", "the fit, as 'glmm fit --json' wrote it (required)"),
        new("data", "FILE", "the new data (required): CSV with a header row, or Parquet (.parquet, .pq);\nthe response need not be there"),
        new("type", "T", "link (the linear predictor, the default) or response (the mean:\nthe inverse link applied)"),
        new("re-form", "R", "all (add each row's random effects, the default; a group the fit did not\nsee gets none) or none (the population prediction)"),
        new("out", "FILE.csv", "where to write the predictions (required): columns row and fit"),
        new("quiet", null, "no progress lines on stderr (errors are still shown)"),
        new("verbose", null, "progress lines even when stderr is not a terminal, and a stack trace\nwith any error"),
        new("help", null, "show this help", ShortName: "h"),
    };

    public static string Help =>
        "glmm predict: predictions from a saved fit on new data\n\n" +
        "Usage:\n" +
        "  glmm predict --model FIT.json --data FILE [--type link|response] [--re-form all|none] --out FILE.csv\n\n" +
        "The fit's formula is applied to the new data: factors are coded with the fit's levels (a level\n" +
        "the fit did not see is an error), offsets come from the new data, and rows missing a value the\n" +
        "model needs get NA. The output has the row number of the new data (from 1) and the prediction.\n\n" +
        "Options:\n" +
        ArgumentParser.FormatOptions(Options) +
        "\nExample:\n" +
        "  glmm fit --data cbpp.csv --family binomial --json cbpp.json \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ period + (1 | herd)\"\n" +
        "  glmm predict --model cbpp.json --data new.csv --type response --out predictions.csv\n\n" +
        "Exit status: 0 on success, 1 when the data or the fit fails, 2 for a usage error.\n";

    /// <summary>Run <c>glmm predict</c> with the arguments after the command name.</summary>
    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        if (ArgumentParser.WantsHelp(args))
        {
            ctx.Out.Write(Help);
            return 0;
        }
        var a = ArgumentParser.Parse(args, Options, Name);
        var modelPath = Required(a, "model", "the fit's JSON");
        var dataPath = Required(a, "data", "the new data");
        var outPath = Required(a, "out", "the CSV file to write");
        var options = new PredictionOptions { Type = ParseType(a.Value("type")), ReForm = ParseReForm(a.Value("re-form")) };
        if (a.Has("quiet") && a.Has("verbose"))
            throw new UsageException("options --quiet and --verbose cannot be used together");
        ctx.Configure(a.Has("quiet"), a.Has("verbose"));
        OutputFile.Check("out", outPath, ("data", dataPath), ("model", modelPath));

        var clock = Stopwatch.StartNew();
        ctx.BeginPhase($"reading the fit {Path.GetFileName(modelPath)}");
        var fit = SavedFitJson.Read(modelPath);
        ctx.EndPhase($"{fit.Formula}, {FitCommand.Seconds(clock)} s");
        if (fit.Converged == false)
            ctx.Notice($"glmm: warning: the fit in {Path.GetFileName(modelPath)} did not converge: its estimates, and so these predictions, may be wrong");

        ctx.BeginPhase($"loading {Path.GetFileName(dataPath)}");
        clock.Restart();
        var data = DataLoader.Load(dataPath);
        ctx.EndPhase($"{data.RowCount} rows, {FitCommand.Seconds(clock)} s");

        ctx.BeginPhase("predicting");
        clock.Restart();
        var result = Predictor.Predict(fit, data, options);
        PredictionCsv.Write(result, outPath);
        ctx.EndPhase($"{FitCommand.Seconds(clock)} s");
        ctx.Note($"wrote {result.Values.Length} predictions to {outPath}");
        if (result.NewLevelRows > 0)
            ctx.Notice($"glmm: note: {result.NewLevelRows} of {result.Values.Length} rows are in groups the fit did not see: they got the population prediction, without random effects");
        if (result.MissingRows > 0)
            ctx.Notice($"glmm: note: {result.MissingRows} of {result.Values.Length} rows miss a value the model needs: their prediction is NA");
        return 0;
    }

    /// <summary><c>--type</c>'s value; default link, as lme4.</summary>
    public static PredictionType ParseType(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "link" => PredictionType.Link,
        "response" => PredictionType.Response,
        _ => throw new UsageException($"option --type: unknown type '{text}' (use link or response)"),
    };

    /// <summary><c>--re-form</c>'s value; default all, as lme4's re.form = NULL.</summary>
    public static RandomEffectsForm ParseReForm(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "all" => RandomEffectsForm.All,
        "none" => RandomEffectsForm.None,
        _ => throw new UsageException($"option --re-form: unknown value '{text}' (use all or none)"),
    };

    private static string Required(ParsedArguments a, string name, string what) =>
        a.Value(name) ?? throw new UsageException($"option --{name} is required ({what}); see '{Name} --help'");
}

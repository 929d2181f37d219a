using System.Diagnostics;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;
using GlmmGpu.Engines;

namespace GlmmGpu.Cli;

/// <summary>
/// <c>glmm demo</c>: fit lme4's cbpp example (built into the program) by Laplace and print the summary,
/// with lme4's own estimates alongside for comparison.
/// </summary>
public static class DemoCommand
{
    public const string Name = "glmm demo";
    public const string Formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)";
    public const string ResourceName = "GlmmGpu.Cli.Data.cbpp.csv";
    public static readonly IReadOnlyList<string> Factors = new[] { "herd", "period" };

    /// <summary>lme4 1.1.31's <c>glmer</c> fit of the same model (the reference fixture cbpp_laplace.json).</summary>
    public const string Lme4Reference =
        "lme4 1.1.31 (glmer, Laplace) on the same data: logLik -92.03; fixed effects -1.3983, -0.9919, " +
        "-1.1282, -1.5797 (SE 0.2312, 0.3032, 0.3228, 0.4220); herd SD 0.6421.";

    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("device", "D", "auto, cpu, ilgpu-cpu, cuda or opencl (default auto: the best device found,\nCUDA, then OpenCL, then the CPU)"),
        new("quiet", null, "no progress lines on stderr"),
        new("verbose", null, "progress lines even when stderr is not a terminal, and a stack trace\nwith any error"),
        new("help", null, "show this help", ShortName: "h"),
    };

    public static string Help =>
        "glmm demo: fit the built-in cbpp data (lme4's contagious bovine pleuropneumonia example)\n\n" +
        "Usage:\n" +
        "  glmm demo [--device D]\n\n" +
        "Fits  " + Formula + "\n" +
        "with the binomial family by Laplace's method (herd and period are factors), prints the\n" +
        "summary, and lme4's estimates for comparison.\n\n" +
        "Options:\n" +
        ArgumentParser.FormatOptions(Options);

    /// <summary>Run <c>glmm demo</c> with the arguments after the command name.</summary>
    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        if (ArgumentParser.WantsHelp(args))
        {
            ctx.Out.Write(Help);
            return 0;
        }
        var a = ArgumentParser.Parse(args, Options, Name);
        if (a.Has("quiet") && a.Has("verbose"))
            throw new UsageException("options --quiet and --verbose cannot be used together");
        var device = a.Value("device") is { } d ? FitCommand.ParseDevice(d) : DeviceChoice.Auto;
        ctx.Configure(a.Has("quiet"), a.Has("verbose"));

        ctx.BeginPhase("loading the built-in cbpp data");
        var clock = Stopwatch.StartNew();
        DataTable data;
        using (var reader = OpenData())
            data = CsvLoader.Load(reader, new CsvOptions { Factors = Factors.ToArray() });
        ctx.EndPhase($"{data.RowCount} rows, {FitCommand.Seconds(clock)} s");

        ctx.BeginPhase($"fitting by Laplace on device {FitCommand.DeviceName(device)}");
        clock.Restart();
        var progress = new FitProgress(ctx, everyIteration: a.Has("verbose"));
        var result = Glmm.Fit(data, Spec, FitOptionsFor(device) with { Progress = progress.Callback });
        ctx.EndPhase($"{FitCommand.Seconds(clock)} s on {result.Device}");
        ctx.ReportDeviceChoice(device, result.Record);

        SummaryFormatter.Write(result, ctx.Out, "cbpp (built in)");
        ctx.Out.WriteLine();
        ctx.Out.WriteLine(Lme4Reference);
        ctx.Out.Flush();
        return 0;
    }

    /// <summary>The model the demo fits.</summary>
    public static ModelSpec Spec => new(Formula, FamilyKind.Binomial);

    /// <summary>How the demo fits: Laplace on the given device.</summary>
    public static FitOptions FitOptionsFor(DeviceChoice device) => new() { Method = FitMethod.Laplace, NAgq = 1, Execution = new ExecutionOptions { Device = device } };

    /// <summary>The built-in cbpp CSV (56 rows: herd, incidence, size, period, fail).</summary>
    public static TextReader OpenData()
    {
        var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new GlmmException($"the built-in data '{ResourceName}' is missing from this build of glmm");
        return new StreamReader(stream);
    }
}

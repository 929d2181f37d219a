using System.Diagnostics;
using System.Globalization;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Results;
using GlmmGpu.Engines;

namespace GlmmGpu.Cli;

/// <summary>Everything <c>glmm fit</c> was asked to do, validated.</summary>
public sealed record FitRequest
{
    public required string DataPath { get; init; }
    public required string Formula { get; init; }
    public required FamilyKind Family { get; init; }
    public LinkKind? Link { get; init; }
    public required FitMethod Method { get; init; }
    public required int NAgq { get; init; }
    public IReadOnlyList<string> Factors { get; init; } = Array.Empty<string>();
    public string? Weights { get; init; }
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    public DeviceMath DeviceMath { get; init; } = DeviceMath.Portable;
    public int Threads { get; init; }
    public int MaxIterations { get; init; } = 500;
    public bool PqlFixedScale { get; init; }
    public string? JsonPath { get; init; }
    /// <summary>Intervals to form after the fit (<c>--confint</c>), or null.</summary>
    public Fitting.Inference.IntervalOptions? Intervals { get; init; }
    public bool Quiet { get; init; }
    public bool Verbose { get; init; }
    /// <summary>With --method bayes: priors, chains, iterations, seed (<see cref="BayesArguments"/>).</summary>
    public GlmmGpu.Fitting.Bayes.BayesOptions? Bayes { get; init; }
    /// <summary>With --method bayes: where to write the draws (--draws).</summary>
    public string? DrawsPath { get; init; }
    /// <summary>With --method bayes: where to write the random effects' draws (--ranef-draws).</summary>
    public string? RanefDrawsPath { get; init; }

    public ModelSpec ToModelSpec() => new(Formula, Family, Link, Weights);

    public FitOptions ToFitOptions(Action<string, int, double>? progress = null) => new()
    {
        Method = Method,
        NAgq = NAgq,
        Execution = new ExecutionOptions { Device = Device, DeviceMath = DeviceMath, Threads = Threads },
        MaxIterations = MaxIterations,
        PqlFixedScale = PqlFixedScale,
        Progress = progress,
        Bayes = Bayes,
    };
}

/// <summary><c>glmm fit</c>: read a CSV or Parquet file, fit the model, print the summary, optionally write JSON.</summary>
public static class FitCommand
{
    public const string Name = "glmm fit";

    /// <summary>Nodes per random effect for <c>--method agq</c> without <c>--nagq</c>.</summary>
    public const int DefaultAgqNodes = 7;

    /// <summary>The most quadrature nodes accepted per random effect.</summary>
    public const int MaxAgqNodes = QuadratureLimits.MaxNodesPerEffect;

    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("data", "FILE", "the data (required): CSV with a header row, or Parquet (.parquet, .pq)"),
        new("formula", "\"F\"", "the model in lme4 syntax, quoted (required), e.g.\n\"cbind(incidence, size - incidence) ~ period + (1 | herd)\""),
        new("family", "NAME", "binomial, poisson, gaussian, gamma, negbin or inverse.gaussian (required)"),
        new("link", "NAME", "logit, probit, cloglog, log, identity, sqrt, inverse or 1/mu^2\n(default: the family's usual link; log for gamma)"),
        new("method", "M", "laplace, agq, pql, ml, reml or bayes (default: reml for gaussian with the\nidentity link, otherwise laplace; agq when --nagq is above 1)"),
        new("nagq", "K", $"adaptive Gauss-Hermite nodes per random effect (default {DefaultAgqNodes} with\n--method agq; 1 means Laplace; K above 1 alone selects agq)"),
        new("factor", "a,b", "numeric columns to treat as factors, comma-separated (may be repeated);\ntext columns are always factors", Repeatable: true),
        new("weights", "COL", "column of prior weights (binomial: the trials of a proportion response)"),
        new("device", "D", "auto, cpu, ilgpu-cpu, cuda or opencl (default auto: CUDA, then OpenCL,\nthen the CPU)"),
        new("device-math", "M", "where GPU kernels take exp and log from: portable (default, the same code\nas the CPU path), xmath (ILGPU's) or libdevice (NVIDIA's; needs the CUDA toolkit)"),
        new("threads", "N", "threads for the CPU path (default 0 = all cores); results do not depend on it"),
        new("max-iterations", "N", "optimizer iterations before giving up (default 500); a fit that stops\nthere is reported as not converged"),
        new("pql-scale", "S", "PQL's residual scale: estimate (default, as MASS::glmmPQL) or fixed (at 1,\nBreslow and Clayton's PQL)"),
        new("json", "OUT.json", "also write the result as JSON to this file"),
        ConfintArguments.Options[0], ConfintArguments.Options[1], ConfintArguments.Options[2], ConfintArguments.Options[3],
        new("quiet", null, "no progress lines on stderr (errors are still shown)"),
        new("verbose", null, "progress lines even when stderr is not a terminal, every optimizer\niteration, and a stack trace with any error"),
        new("help", null, "show this help", ShortName: "h"),
    }.Concat(BayesArguments.Options).ToArray();

    public static string Help =>
        "glmm fit: fit a generalized linear mixed model to a CSV or Parquet file and print an lme4-style summary\n\n" +
        "Usage:\n" +
        "  glmm fit --data FILE --formula \"F\" --family NAME [options]\n\n" +
        "Options:\n" +
        ArgumentParser.FormatOptions(Options) +
        "\nExamples:\n" +
        "  glmm fit --data cbpp.csv --factor herd,period --family binomial \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ period + (1 | herd)\"\n" +
        "  glmm fit --data cbpp.csv --factor herd,period --family binomial --method agq --nagq 25 \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ period + (1 | herd)\" --json cbpp.json\n\n" +
        "The summary goes to stdout; progress and errors go to stderr. On a terminal, a fit that runs\n" +
        "longer than a second reports its iterations and log-likelihood a few times a second.\n" +
        "Exit status: 0 on success, 1 when the data or the fit fails, 2 for a usage error.\n";

    /// <summary>Run <c>glmm fit</c> with the arguments after the command name.</summary>
    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        if (ArgumentParser.WantsHelp(args))
        {
            ctx.Out.Write(Help);
            return 0;
        }
        Diagnostics.Mark("start");
        var request = ParseRequest(ArgumentParser.Parse(args, Options, Name));
        ctx.Configure(request.Quiet, request.Verbose);
        CheckPaths(request);

        var fileName = Path.GetFileName(request.DataPath);
        ctx.BeginPhase($"loading {fileName}");
        var clock = Stopwatch.StartNew();
        var data = DataLoader.Load(request.DataPath, new CsvOptions { Factors = request.Factors.ToArray() });
        ctx.EndPhase($"{data.RowCount} rows, {Seconds(clock)} s");
        Diagnostics.Mark("loaded");

        var fitOptions = request.ToFitOptions(progress: null);
        WarmUpFit.Start(data, request.ToModelSpec(), fitOptions, fileName);
        var progress = new FitProgress(ctx, everyIteration: request.Verbose);
        FitResult result;
        ModelFrame frame;
        using (progress.StartTicking())
        {
            ctx.BeginPhase("building the model frame");
            clock.Restart();
            frame = Glmm.Frame(data, request.ToModelSpec(), fitOptions.Execution.Parallel);
            ctx.EndPhase($"{FrameDetail(frame)}, {Seconds(clock)} s");
            Diagnostics.Mark("model frame");
            if (frame.FixedDesign?.SlowNote is { } slow)
                ctx.Notice("glmm: note: " + slow);

            ctx.BeginPhase($"fitting by {MethodName(request.Method, request.NAgq, request.Bayes?.Algorithm)} on device {DeviceName(request.Device)}");
            clock.Restart();
            result = Glmm.Fit(frame, request.ToFitOptions(progress.Callback));
            ctx.EndPhase($"{Seconds(clock)} s on {result.Device}");
        }
        ctx.ReportDeviceChoice(request.Device, result.Record);
        if (request.DeviceMath != DeviceMath.Portable && result.Device == "cpu")
            ctx.Notice($"glmm: note: --device-math {DeviceMathNames.Name(request.DeviceMath)} applies to GPU kernels; the CPU path ran its own exp and log");
        if (!result.Converged)
            ctx.Notice("glmm: warning: " + (result.Messages.FirstOrDefault(m => m.Contains("converge", StringComparison.Ordinal) || m.Contains("settle", StringComparison.Ordinal)) ?? "the fit did not converge"));

        Diagnostics.Mark("fitted");
        SummaryFormatter.Write(result, ctx.Out, fileName);
        ctx.Out.Flush();
        Diagnostics.Mark("summary written");
        Fitting.Inference.ConfidenceIntervals? intervals = null;
        if (request.Intervals is { } asked)
        {
            ctx.BeginPhase($"{Fitting.Inference.IntervalMethodNames.Name(asked.Method)} confidence intervals");
            clock.Restart();
            intervals = Glmm.Confint(frame, result, asked, fitOptions);
            ctx.EndPhase($"{Seconds(clock)} s");
            ConfintFormatter.Write(intervals, ctx.Out);
            ctx.Out.Flush();
        }
        if (request.DrawsPath is { } drawsPath && result.Posterior is { } posterior)
        {
            if (DataLoader.IsParquet(drawsPath)) PosteriorDrawsParquet.Write(posterior, drawsPath);
            else PosteriorDrawsCsv.Write(posterior, drawsPath);
            ctx.Note($"wrote {drawsPath}");
        }
        if (request.RanefDrawsPath is { } ranefPath && result.Posterior?.RandomEffects is { } ranefDraws)
        {
            if (DataLoader.IsParquet(ranefPath)) RandomEffectDrawsParquet.Write(ranefDraws, ranefPath);
            else RandomEffectDrawsCsv.Write(ranefDraws, ranefPath);
            ctx.Note($"wrote {ranefPath}");
        }
        if (request.JsonPath is { } json)
        {
            // The file's checksum lets 'glmm anova' refuse fits of different data; one more read, only when saving.
            FitResultJson.Write(result, json, intervals, DataFileIdentity.Of(request.DataPath, data.RowCount));
            ctx.Note($"wrote {json}");
        }
        // A fit that did not converge has printed its summary and the warning; its exit status says the same.
        return result.Converged ? CliProgram.Success : CliProgram.DataOrFitError;
    }

    /// <summary>Turn parsed options into a request; <see cref="UsageException"/> names the option at fault.</summary>
    public static FitRequest ParseRequest(ParsedArguments a)
    {
        var data = Required(a, "data", "the CSV or Parquet file to fit");
        var formula = Required(a, "formula", "the model formula, e.g. \"y ~ x + (1 | g)\"");
        if (string.IsNullOrWhiteSpace(formula))
            throw new UsageException("option --formula needs a model formula, not blank text");
        var familyText = Required(a, "family", "binomial, poisson, gaussian, gamma, negbin or inverse.gaussian");
        var family = Parse("family", familyText, FamilyNames.ParseFamily);
        LinkKind? link = a.Value("link") is { } l ? Parse("link", l, FamilyNames.ParseLink) : null;
        if (link is { } lk && !FamilyNames.Allows(family, lk))
            throw new UsageException($"option --link: the {FamilyNames.RName(family)} family does not take the {FamilyNames.RName(lk)} link");

        int? nagq = a.Value("nagq") is { } k ? Integer("nagq", k, 1, MaxAgqNodes, "quadrature nodes") : null;
        var (method, nodes) = ResolveMethod(a.Value("method"), nagq, family, link);

        var factors = a.Values("factor")
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (a.Has("factor") && factors.Length == 0)
            throw new UsageException("option --factor needs one or more column names separated by commas");

        var weights = a.Value("weights");
        if (weights is not null && string.IsNullOrWhiteSpace(weights))
            throw new UsageException("option --weights needs a column name");

        if (a.Has("quiet") && a.Has("verbose"))
            throw new UsageException("options --quiet and --verbose cannot be used together");

        var device = a.Value("device") is { } d ? ParseDevice(d) : DeviceChoice.Auto;
        var deviceMath = a.Value("device-math") is { } dm ? ParseDeviceMath(dm) : DeviceMath.Portable;
        CheckDeviceMath(device, deviceMath);

        return new FitRequest
        {
            DataPath = data,
            Formula = formula,
            Family = family,
            Link = link,
            Method = method,
            NAgq = nodes,
            Factors = factors,
            Weights = weights?.Trim(),
            Device = device,
            DeviceMath = deviceMath,
            Threads = a.Value("threads") is { } t ? Integer("threads", t, 0, 4096, "threads (0 = all cores)") : 0,
            MaxIterations = a.Value("max-iterations") is { } mi ? Integer("max-iterations", mi, 1, 100_000, "iterations") : 500,
            PqlFixedScale = a.Value("pql-scale") switch
            {
                null => false,
                _ when method != FitMethod.Pql => throw new UsageException("option --pql-scale applies only to --method pql"),
                "estimate" => false,
                "fixed" => true,
                var other => throw new UsageException($"option --pql-scale takes estimate or fixed, not '{other}'"),
            },
            JsonPath = a.Value("json"),
            Intervals = ConfintArguments.Parse(a, method),
            Bayes = BayesArguments.Parse(a, method),
            DrawsPath = method == FitMethod.Bayes ? a.Value("draws") : null,
            RanefDrawsPath = method == FitMethod.Bayes ? a.Value("ranef-draws") : null,
            Quiet = a.Has("quiet"),
            Verbose = a.Has("verbose"),
        };
    }

    /// <summary>
    /// The method and node count from <c>--method</c> and <c>--nagq</c>: agq alone means
    /// <see cref="DefaultAgqNodes"/> nodes, <c>--nagq K</c> alone means agq when K &gt; 1 and Laplace when K = 1,
    /// and with neither the default is REML for a gaussian identity-link model and Laplace otherwise (as lme4's
    /// <c>lmer</c> and <c>glmer</c>).
    /// </summary>
    public static (FitMethod Method, int NAgq) ResolveMethod(string? method, int? nagq, FamilyKind family, LinkKind? link)
    {
        if (method is null)
        {
            if (nagq is { } k) return k > 1 ? (FitMethod.Agq, k) : (FitMethod.Laplace, 1);
            bool lmm = family == FamilyKind.Gaussian && (link ?? FamilyNames.DefaultLink(family)) == LinkKind.Identity;
            return lmm ? (FitMethod.Reml, 1) : (FitMethod.Laplace, 1);
        }
        switch (method.Trim().ToLowerInvariant())
        {
            case "laplace":
                if (nagq is { } kl && kl != 1)
                    throw new UsageException($"option --nagq {kl} does not go with --method laplace, which uses one node (use --method agq)");
                return (FitMethod.Laplace, 1);
            case "agq":
                if (nagq == 1)
                    throw new UsageException("option --nagq must be 2 or more with --method agq (one node is --method laplace)");
                return (FitMethod.Agq, nagq ?? DefaultAgqNodes);
            case "bayes":
                return (FitMethod.Bayes, nagq ?? 1);
            case "pql":
            case "ml":
            case "reml":
                var m = method.Trim().ToLowerInvariant();
                if (nagq is not null)
                    throw new UsageException($"option --nagq applies to --method agq or laplace, not --method {m}");
                var lmmLink = link ?? FamilyNames.DefaultLink(family);
                if (m != "pql" && (family != FamilyKind.Gaussian || lmmLink != LinkKind.Identity))
                    throw new UsageException(family != FamilyKind.Gaussian
                        ? $"option --method {m} is for --family gaussian (a linear mixed model), not {FamilyNames.RName(family)}; use laplace or agq"
                        : $"option --method {m} fits a linear mixed model, with the identity link, not {FamilyNames.RName(lmmLink)}; use laplace or agq");
                return (m == "pql" ? FitMethod.Pql : m == "ml" ? FitMethod.Ml : FitMethod.Reml, 1);
            default:
                throw new UsageException($"option --method: unknown method '{method}' (use laplace, agq, pql, ml, reml or bayes)");
        }
    }

    /// <summary><c>--device</c>'s value as a <see cref="DeviceChoice"/>.</summary>
    public static DeviceChoice ParseDevice(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceChoice.Auto,
        "cpu" => DeviceChoice.Cpu,
        "ilgpu-cpu" => DeviceChoice.IlgpuCpu,
        "cuda" => DeviceChoice.Cuda,
        "opencl" => DeviceChoice.OpenCl,
        _ => throw new UsageException($"option --device: unknown device '{text}' (use auto, cpu, ilgpu-cpu, cuda or opencl)"),
    };

    /// <summary><c>--device-math</c>'s value as a <see cref="DeviceMath"/>.</summary>
    public static DeviceMath ParseDeviceMath(string text) =>
        DeviceMathNames.TryParse(text, out var math) ? math
            : throw new UsageException($"option --device-math: unknown value '{text}' (use portable, xmath or libdevice)");

    /// <summary>
    /// <c>--device-math</c> chooses what GPU kernels compile exp and log to: the CPU path and ILGPU's CPU accelerator
    /// always run the portable code, and libdevice is NVIDIA's, for CUDA alone.
    /// </summary>
    public static void CheckDeviceMath(DeviceChoice device, DeviceMath math)
    {
        if (math == DeviceMath.Portable) return;
        var name = DeviceMathNames.Name(math);
        if (device is DeviceChoice.Cpu or DeviceChoice.IlgpuCpu)
            throw new UsageException(
                $"option --device-math {name} chooses the GPU kernels' exp and log, but --device {DeviceName(device)} always runs the portable ones; " +
                "leave --device-math out, or use --device cuda or opencl");
        if (device == DeviceChoice.OpenCl && math == DeviceMath.LibDevice)
            throw new UsageException("option --device-math libdevice is NVIDIA's library, for --device cuda; with --device opencl use xmath or portable");
    }

    internal static string MethodName(FitMethod method, int nagq, GlmmGpu.Fitting.Bayes.BayesAlgorithm? algorithm = null) => method switch
    {
        FitMethod.Agq => $"adaptive quadrature ({nagq} nodes)",
        FitMethod.Laplace => "Laplace",
        FitMethod.Pql => "PQL",
        FitMethod.Ml => "maximum likelihood",
        FitMethod.Reml => "REML",
        FitMethod.Bayes when algorithm == GlmmGpu.Fitting.Bayes.BayesAlgorithm.Grid =>
            nagq > 1 ? $"a grid on the marginal posterior ({nagq}-node quadrature)" : "a grid on the marginal posterior (Laplace)",
        FitMethod.Bayes => nagq > 1 ? $"NUTS on the marginal posterior ({nagq}-node quadrature)" : "NUTS on the marginal posterior (Laplace)",
        _ => method.ToString(),
    };

    internal static string DeviceName(DeviceChoice d) => d switch
    {
        DeviceChoice.Auto => "auto",
        DeviceChoice.Cpu => "cpu",
        DeviceChoice.IlgpuCpu => "ilgpu-cpu",
        DeviceChoice.Cuda => "cuda",
        DeviceChoice.OpenCl => "opencl",
        _ => d.ToString(),
    };

    /// <summary><c>20000 rows, 1000 fixed effects, 200 groups of g</c>: the frame's size, as the fit will see it.</summary>
    internal static string FrameDetail(ModelFrame frame) =>
        $"{frame.RowCount} rows, {frame.P} fixed effect{(frame.P == 1 ? "" : "s")}, " +
        string.Join(", ", frame.RandomEffects.Select(b => $"{b.LevelCount} groups of {b.GroupingFactor}"));

    internal static string Seconds(Stopwatch clock) => clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Fail before any work when the data file is missing or the JSON file cannot be written.</summary>
    private static void CheckPaths(FitRequest r)
    {
        if (Directory.Exists(r.DataPath))
            throw new GlmmException($"--data '{r.DataPath}' is a directory, not a data file");
        if (!File.Exists(r.DataPath))
            throw new GlmmException($"data file '{r.DataPath}' not found");
        if (r.JsonPath is { } json)
            OutputFile.Check("json", json, ("data", r.DataPath));
        if (r.DrawsPath is { } draws)
            OutputFile.Check("draws", draws, ("data", r.DataPath));
        if (r.RanefDrawsPath is { } ranefDraws)
            OutputFile.Check("ranef-draws", ranefDraws, ("data", r.DataPath));
    }

    private static string Required(ParsedArguments a, string name, string what) =>
        a.Value(name) ?? throw new UsageException($"option --{name} is required ({what}); see '{Name} --help'");

    internal static T Parse<T>(string option, string text, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"option --{option}: {e.Message}");
        }
    }

    internal static int Integer(string option, string text, int min, int max, string what)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw new UsageException($"option --{option} needs a whole number of {what}, not '{text}'");
        if (v < min || v > max)
            throw new UsageException($"option --{option} must be between {min} and {max}, not {v}");
        return v;
    }
}

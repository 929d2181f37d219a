using System.Reflection;

namespace GlmmGpu.Cli;

/// <summary>
/// The <c>glmm</c> program. <see cref="Run(string[], TextWriter, TextWriter)"/> is the whole program behind
/// <c>Main</c>, callable from tests. Exit codes: 0 success, 1 a data or fit error, 2 a usage error.
/// Errors are one sentence on stderr after <c>glmm: error: </c>; the stack trace only with --verbose.
/// </summary>
public static class CliProgram
{
    public const int Success = 0;
    public const int DataOrFitError = 1;
    public const int UsageError = 2;

    public static int Main(string[] args) =>
        Run(args, Console.Out, Console.Error, stderrIsTerminal: !Console.IsErrorRedirected);

    /// <summary>Run the program with stderr treated as not a terminal (no progress lines).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, stderrIsTerminal: false);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool stderrIsTerminal) =>
        Run(args, new CliContext(stdout, stderr, stderrIsTerminal));

    /// <summary>Run the program with a context built by the caller (tests set its progress timing).</summary>
    public static int Run(string[] args, CliContext ctx)
    {
        var stdout = ctx.Out;
        bool verbose = args.TakeWhile(a => a != "--").Contains("--verbose");
        try
        {
            if (args.Length == 0)
                throw new UsageException("no command given (use 'glmm fit', 'glmm predict', 'glmm demo' or 'glmm --help')");
            var rest = args[1..];
            switch (args[0])
            {
                case "fit":
                    return FitCommand.Run(rest, ctx);
                case "predict":
                    return PredictCommand.Run(rest, ctx);
                case "demo":
                    return DemoCommand.Run(rest, ctx);
                case "simulate":
                    return SimulateCommand.Run(rest, ctx);
                case "anova":
                    return AnovaCommand.Run(rest, ctx);
                case "ranef":
                    return RanefCommand.Run(rest, ctx);
                case "--help" or "-h":
                    stdout.Write(Help);
                    return Success;
                case "help":
                    return HelpFor(rest, stdout);
                case "--version":
                    stdout.WriteLine($"glmm {Version}");
                    return Success;
                default:
                    throw new UsageException(args[0].StartsWith('-')
                        ? $"unknown option {args[0]}: give a command first (glmm fit ... or glmm demo; see 'glmm --help')"
                        : $"unknown command '{args[0]}' (the commands are fit, predict, anova, ranef, demo and simulate; see 'glmm --help')");
            }
        }
        catch (Exception e)
        {
            return Fail(ctx, e, verbose);
        }
    }

    public static string Help =>
        "glmm: generalized linear mixed models with lme4 formulas, on the CPU or a GPU\n\n" +
        "Usage:\n" +
        "  glmm fit --data FILE --formula \"F\" --family NAME [options]\n" +
        "  glmm predict --model FIT.json --data FILE --out FILE.csv [options]\n" +
        "  glmm demo [--device D]\n" +
        "  glmm anova FIT0.json FIT1.json [FIT2.json ...] [--json OUT.json]\n" +
        "  glmm ranef FIT.json [--level 0.95] [--csv OUT.csv]\n" +
        "  glmm simulate --rows N --groups G --family F --out FILE.csv [options]\n" +
        "  glmm help [fit|predict|anova|ranef|demo|simulate]\n" +
        "  glmm --version\n\n" +
        "Commands:\n" +
        "  fit       fit a model to a CSV or Parquet file and print an lme4-style summary (--json to save it)\n" +
        "  predict   predictions from a saved fit (--json) on new data, written as CSV\n" +
        "  anova     likelihood-ratio tests between nested saved fits, as lme4's anova(m0, m1)\n" +
        "  ranef     a saved fit's conditional modes with conditional SDs and intervals\n" +
        "  demo      fit the built-in cbpp data (binomial, Laplace) and print the summary\n" +
        "  simulate  write a synthetic data set with known parameters\n\n" +
        "Options:\n" +
        "  -h, --help   show this help; 'glmm COMMAND --help' lists a command's options\n" +
        "  --version    print the version\n\n" +
        "Example:\n" +
        "  glmm fit --data cbpp.csv --factor herd,period --family binomial \\\n" +
        "      --formula \"cbind(incidence, size - incidence) ~ period + (1 | herd)\"\n\n" +
        "Exit status: 0 on success, 1 when the data or the fit fails, 2 for a usage error.\n";

    public static string Version =>
        typeof(CliProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliProgram).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static int HelpFor(string[] rest, TextWriter stdout)
    {
        if (rest.Length > 1)
            throw new UsageException($"unexpected argument '{rest[1]}' for 'glmm help'");
        var text = rest.Length == 0 ? Help : rest[0] switch
        {
            "fit" => FitCommand.Help,
            "predict" => PredictCommand.Help,
            "demo" => DemoCommand.Help,
            "simulate" => SimulateCommand.Help,
            "anova" => AnovaCommand.Help,
            "ranef" => RanefCommand.Help,
            _ => throw new UsageException($"no help for '{rest[0]}': the commands are fit, predict, anova, ranef, demo and simulate"),
        };
        stdout.Write(text);
        return Success;
    }

    /// <summary>Report an exception as one sentence and choose the exit code.</summary>
    private static int Fail(CliContext ctx, Exception e, bool verbose)
    {
        ctx.CloseLine();
        var (code, message) = e switch
        {
            UsageException => (UsageError, e.Message),
            GlmmException => (DataOrFitError, e.Message),
            ArgumentException a => (DataOrFitError, WithoutParameterName(a)),
            FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException
                => (DataOrFitError, e.Message),
            NotImplementedException => (DataOrFitError, $"this part of glmm is not built yet ({e.Message})"),
            OutOfMemoryException => (DataOrFitError, "out of memory; try a smaller --threads or a device with more memory"),
            _ => (DataOrFitError, $"internal error ({e.GetType().Name}): {e.Message}" + (verbose ? "" : "; run with --verbose for the stack trace")),
        };
        ctx.Error.WriteLine("glmm: error: " + OneLine(message));
        if (verbose)
            ctx.Error.WriteLine(e.ToString());
        ctx.Error.Flush();
        return code;
    }

    private static string WithoutParameterName(ArgumentException a) =>
        a.ParamName is { } p ? a.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : a.Message;

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}

using GlmmGpu.Cli;
using Xunit;

namespace GlmmGpu.Tests.Cli;

/// <summary>Iteration lines on stderr: only on a terminal (or --verbose), only for long fits, a few a second.</summary>
public class FitProgressTests
{
    private static readonly string[] CbppFit =
    {
        "fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial", "--device", "cpu",
        "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)",
    };

    private static (CliContext Ctx, StringWriter Err) Context(bool terminal, bool verbose = false, bool quiet = false)
    {
        var err = new StringWriter();
        var ctx = new CliContext(new StringWriter(), err, terminal)
        {
            ProgressDelay = TimeSpan.FromSeconds(1),
            ProgressInterval = TimeSpan.FromSeconds(0.25),
        };
        ctx.Configure(quiet, verbose);
        return (ctx, err);
    }

    private static string[] Lines(StringWriter w) => w.ToString().Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void NothingInTheFirstSecondThenAtMostFourLinesASecond()
    {
        var (ctx, err) = Context(terminal: true);
        var now = TimeSpan.Zero;
        var progress = new FitProgress(ctx, everyIteration: false, () => now);
        // One iteration every 50 ms for three seconds.
        for (int i = 1; i <= 60; i++)
        {
            now = TimeSpan.FromMilliseconds(50 * i);
            progress.Report("fitting", i, -92.0265663875511);
        }
        var lines = Lines(err);
        Assert.Equal("  fitting iteration 20: log-likelihood -92.027", lines[0]);
        Assert.InRange(lines.Length, 8, 9); // from 1 s to 3 s, one line per 250 ms
        Assert.All(lines, l => Assert.Matches(@"^  fitting iteration \d+: log-likelihood -92\.027$", l));
    }

    [Fact]
    public void VerboseShowsEveryIterationAndPqlHasNoLikelihood()
    {
        var (ctx, err) = Context(terminal: false, verbose: true);
        var progress = new FitProgress(ctx, everyIteration: true, () => TimeSpan.Zero);
        progress.Report("PQL", 1, double.NaN);
        progress.Report("PQL", 2, double.NaN);
        Assert.Equal(new[] { "  PQL iteration 1", "  PQL iteration 2" }, Lines(err));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void NoCallbackWhenRedirectedOrQuiet(bool terminal, bool quiet)
    {
        var (ctx, err) = Context(terminal, quiet: quiet);
        var progress = new FitProgress(ctx, everyIteration: false, () => TimeSpan.FromHours(1));
        Assert.Null(progress.Callback);
        progress.Report("fitting", 1, -1);
        Assert.Equal("", err.ToString());
    }

    [Fact]
    public void ALongFitOnATerminalShowsIterationsAndTheLogLikelihood()
    {
        // No delay stands in for a fit longer than a second; a long interval keeps it to one line.
        var err = new StringWriter();
        var ctx = new CliContext(new StringWriter(), err, stderrIsTerminal: true)
        {
            ProgressDelay = TimeSpan.Zero,
            ProgressInterval = TimeSpan.FromHours(1),
        };
        Assert.Equal(0, CliProgram.Run(CbppFit, ctx));
        var lines = Lines(err);
        Assert.StartsWith("loading cbpp.csv ... (56 rows", lines[0]);
        Assert.StartsWith("building the model frame ... (56 rows, 4 fixed effects, 15 groups of herd, ", lines[1]);
        Assert.Equal("fitting by Laplace on device cpu ... ", lines[2]);
        Assert.Matches(@"^  fitting iteration 1: log-likelihood -\d+\.\d{3}$", lines[3]);
        Assert.StartsWith("  (", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void RedirectedOrQuietFitsWriteNothingToStderr()
    {
        var err = new StringWriter();
        Assert.Equal(0, CliProgram.Run(CbppFit, new StringWriter(), err, stderrIsTerminal: false));
        Assert.Equal("", err.ToString());
        var quiet = new StringWriter();
        Assert.Equal(0, CliProgram.Run(CbppFit.Append("--quiet").ToArray(), new StringWriter(), quiet, stderrIsTerminal: true));
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void AFitShorterThanTheDelayShowsPhasesOnly()
    {
        // A delay no fit here reaches stands in for a quick fit under the default second (timing-free).
        var err = new StringWriter();
        var ctx = new CliContext(new StringWriter(), err, stderrIsTerminal: true) { ProgressDelay = TimeSpan.FromMinutes(10) };
        Assert.Equal(0, CliProgram.Run(CbppFit, ctx));
        Assert.DoesNotContain("iteration", err.ToString());
        Assert.Contains("fitting by Laplace on device cpu ... (", err.ToString());
    }
}

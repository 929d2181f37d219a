using GlmmGpu.Cli;
using Xunit;

namespace GlmmGpu.Tests.Cli;

/// <summary>
/// The phases the library names as they begin: shown once they have run for the delay, reported again while they
/// print nothing else, so that a long fit is never silent; on the test's own clock, no timing.
/// </summary>
public class PhaseProgressTests
{
    private static (CliContext Ctx, StringWriter Err) Context(bool verbose = false)
    {
        var err = new StringWriter();
        var ctx = new CliContext(new StringWriter(), err, stderrIsTerminal: true)
        {
            ProgressDelay = TimeSpan.FromSeconds(1),
            // A timer that never fires in a test: Tick is called by hand.
            ProgressInterval = TimeSpan.FromHours(1),
        };
        ctx.Configure(quiet: false, verbose);
        return (ctx, err);
    }

    private static string[] Lines(StringWriter w) => w.ToString().Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void ALongPhaseIsNamedAfterTheDelayAndAgainWhileSilent()
    {
        var (ctx, err) = Context();
        var now = TimeSpan.Zero;
        var progress = new FitProgress(ctx, everyIteration: false, () => now);
        progress.Begin("GLM start (1000 fixed effects)");
        foreach (double s in new[] { 0.25, 0.5, 0.75, 1.0, 1.25, 5, 10.5, 11, 15, 21 })
        {
            now = TimeSpan.FromSeconds(s);
            progress.Tick();
        }
        progress.Begin(null);
        now = TimeSpan.FromSeconds(60);
        progress.Tick();
        Assert.Equal(new[]
        {
            "  GLM start (1000 fixed effects)",
            "  GLM start (1000 fixed effects): 11 s so far",
            "  GLM start (1000 fixed effects): 21 s so far",
        }, Lines(err));
    }

    [Fact]
    public void AShortPhaseIsNeverShownAndIterationLinesKeepThePhaseQuiet()
    {
        var (ctx, err) = Context();
        var now = TimeSpan.Zero;
        var progress = new FitProgress(ctx, everyIteration: false, () => now);
        progress.Begin("GLM start (5 fixed effects)");
        now = TimeSpan.FromSeconds(0.5);
        progress.Tick();
        progress.Begin("fitting");
        now = TimeSpan.FromSeconds(1.5);
        progress.Tick();
        progress.Report("fitting", 7, -92.0265);
        now = TimeSpan.FromSeconds(9);
        progress.Tick();
        Assert.Equal(new[] { "  fitting", "  fitting iteration 7: log-likelihood -92.027" }, Lines(err));
    }

    [Fact]
    public void VerboseNamesEachPhaseAtOnce()
    {
        var (ctx, err) = Context(verbose: true);
        var progress = new FitProgress(ctx, everyIteration: true, () => TimeSpan.Zero);
        progress.Begin("GLM start (4 fixed effects)");
        progress.Begin(null);
        progress.Begin("standard errors (5 gradient evaluations)");
        Assert.Equal(new[] { "  GLM start (4 fixed effects)", "  standard errors (5 gradient evaluations)" }, Lines(err));
    }

    [Fact]
    public void TheLibrarysPhasesReachTheLinesWhileTicking()
    {
        var (ctx, err) = Context(verbose: true);
        var progress = new FitProgress(ctx, everyIteration: true, () => TimeSpan.Zero);
        using (progress.StartTicking())
            Diagnostics.Begin("fixed-effects design: 56 rows by 4 columns (period: 3)");
        Diagnostics.Begin("after the command: not shown");
        Assert.Equal(new[] { "  fixed-effects design: 56 rows by 4 columns (period: 3)" }, Lines(err));
    }

    [Fact]
    public void AVerboseFitNamesItsPhases()
    {
        var err = new StringWriter();
        int code = CliProgram.Run(new[]
        {
            "fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial", "--device", "cpu", "--verbose",
            "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)",
        }, new StringWriter(), err);
        Assert.Equal(0, code);
        var text = err.ToString();
        Assert.Contains("building the model frame ... ", text);
        Assert.Contains("  fixed-effects design: 56 rows by 4 columns (period: 3)", text);
        Assert.Contains("(56 rows, 4 fixed effects, 15 groups of herd, ", text);
        Assert.Contains("  GLM start (4 fixed effects)", text);
        Assert.Contains("  standard errors (5 differenced points in one pass)", text);
    }
}

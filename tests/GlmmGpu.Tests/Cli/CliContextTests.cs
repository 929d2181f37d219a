using GlmmGpu.Cli;
using Xunit;

namespace GlmmGpu.Tests.Cli;

public class CliContextTests
{
    private static (CliContext Ctx, StringWriter Err) Make(bool terminal, bool quiet = false, bool verbose = false)
    {
        var err = new StringWriter();
        var ctx = new CliContext(new StringWriter(), err, terminal);
        ctx.Configure(quiet, verbose);
        return (ctx, err);
    }

    [Fact]
    public void PhaseLinesOnATerminal()
    {
        var (ctx, err) = Make(terminal: true);
        ctx.BeginPhase("loading cbpp.csv");
        ctx.EndPhase("56 rows, 0.01 s");
        Assert.Equal("loading cbpp.csv ... (56 rows, 0.01 s)\n", err.ToString().Replace("\r\n", "\n"));
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    public void NoPhaseLinesWhenRedirectedOrQuiet(bool terminal, bool quiet, bool verbose)
    {
        var (ctx, err) = Make(terminal, quiet, verbose);
        ctx.BeginPhase("loading x");
        ctx.Note("note");
        ctx.EndPhase("1 rows");
        Assert.Equal("", err.ToString());
    }

    [Fact]
    public void VerboseShowsPhasesEvenWhenRedirected()
    {
        var (ctx, err) = Make(terminal: false, verbose: true);
        ctx.BeginPhase("fitting");
        ctx.Note("  iteration 1");
        ctx.EndPhase("0.5 s");
        Assert.Equal("fitting ... \n  iteration 1\n  (0.5 s)\n", err.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void CloseLineEndsAnOpenPhase()
    {
        var (ctx, err) = Make(terminal: true);
        ctx.BeginPhase("loading x");
        ctx.CloseLine();
        ctx.CloseLine();
        Assert.Equal("loading x ... \n", err.ToString().Replace("\r\n", "\n"));
    }
}

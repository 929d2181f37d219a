using GlmmGpu.Engines;
namespace GlmmGpu.Cli;

/// <summary>
/// Where a command writes: the summary to <see cref="Out"/>, progress and errors to <see cref="Error"/>.
/// Progress ("phase") lines appear only when stderr is a terminal (or with --verbose) and never with --quiet,
/// so that redirected output stays clean.
/// </summary>
public sealed class CliContext
{
    private readonly object gate = new();
    private bool lineOpen;

    public CliContext(TextWriter stdout, TextWriter stderr, bool stderrIsTerminal)
    {
        Out = stdout;
        Error = stderr;
        ErrorIsTerminal = stderrIsTerminal;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public bool ErrorIsTerminal { get; }
    public bool Quiet { get; private set; }
    /// <summary>How long a fit runs before its iteration lines start: short fits stay at one line.</summary>
    public TimeSpan ProgressDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The least time between two iteration lines, so a fast optimizer does not flood the terminal.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(0.25);
    public bool Verbose { get; private set; }

    /// <summary>Whether phase lines are written.</summary>
    public bool ShowPhases => !Quiet && (ErrorIsTerminal || Verbose);

    public void Configure(bool quiet, bool verbose)
    {
        Quiet = quiet;
        Verbose = verbose;
    }

    /// <summary>Start a phase line (<c>loading cbpp.csv ... </c>); <see cref="EndPhase"/> completes it.</summary>
    public void BeginPhase(string what)
    {
        if (!ShowPhases) return;
        lock (gate)
        {
            CloseLine();
            Error.Write(what + " ... ");
            Error.Flush();
            lineOpen = true;
        }
    }

    /// <summary>Complete the open phase line with a detail in parentheses: <c>(56 rows, 0.01 s)</c>.</summary>
    public void EndPhase(string detail)
    {
        if (!ShowPhases) return;
        lock (gate)
        {
            if (lineOpen) Error.WriteLine($"({detail})");
            else Error.WriteLine($"  ({detail})");
            lineOpen = false;
        }
    }

    /// <summary>A whole progress line (shown where phases are).</summary>
    public void Note(string line)
    {
        if (!ShowPhases) return;
        lock (gate)
        {
            CloseLine();
            Error.WriteLine(line);
        }
    }

    /// <summary>A line the user should see even when stderr is not a terminal (silenced only by --quiet).</summary>
    public void Notice(string line)
    {
        if (Quiet) return;
        lock (gate)
        {
            CloseLine();
            Error.WriteLine(line);
        }
    }

    /// <summary>Say, in one line, what <c>--device auto</c> chose and why (no GPU found, or the estimates that
    /// weighed a GPU against the CPU path).</summary>
    public void ReportDeviceChoice(GlmmGpu.Engines.DeviceChoice requested, GlmmGpu.Fitting.FitRecord record)
    {
        if (requested == GlmmGpu.Engines.DeviceChoice.Auto)
            Notice($"glmm: device {record.DeviceReason}");
        else if (record.Device == "cpu" && requested != GlmmGpu.Engines.DeviceChoice.Cpu)
            Notice($"glmm: note: {record.DeviceReason}");
    }

    /// <summary>End a half-written phase line so that an error message starts on its own line.</summary>
    public void CloseLine()
    {
        lock (gate)
        {
            if (lineOpen) Error.WriteLine();
            lineOpen = false;
        }
    }
}

using System.Diagnostics;
using System.Globalization;

namespace GlmmGpu.Cli;

/// <summary>
/// Turns the estimators' per-iteration callbacks (<see cref="Fitting.FitOptions.Progress"/>) into progress
/// lines on stderr: <c>  fitting iteration 12: log-likelihood -92.027</c>. Shown only where phase lines are
/// (<see cref="CliContext.ShowPhases"/>). By default a line appears only once the fit has run for
/// <see cref="CliContext.ProgressDelay"/> and then at most once per <see cref="CliContext.ProgressInterval"/>,
/// so quick fits print nothing extra and long ones a few lines a second; with --verbose every iteration shows.
/// The phases the library names as they begin (<see cref="Diagnostics.Begin"/>: the fixed-effects design, the GLM
/// start, the standard errors) are shown once they have run for the delay (at once with --verbose), and a phase
/// that prints nothing else is reported again every <see cref="HeartbeatInterval"/>, so that a long fit is never
/// silent: <see cref="Tick"/>, called by the timer <see cref="StartTicking"/> starts, checks for both.
/// </summary>
public sealed class FitProgress
{
    /// <summary>How long a phase may go without a line before it is reported again.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    private readonly CliContext ctx;
    private readonly bool everyIteration;
    private readonly Func<TimeSpan> elapsed;
    private readonly object gate = new();
    private TimeSpan? last;
    private string? phase;
    private TimeSpan phaseStart, lastLine;
    private bool phaseShown;

    /// <param name="ctx">Where lines go, and the delay and interval.</param>
    /// <param name="everyIteration">Show every iteration at once (--verbose).</param>
    /// <param name="elapsed">Time since the fit started; a stopwatch started now when null (tests pass their own clock).</param>
    public FitProgress(CliContext ctx, bool everyIteration, Func<TimeSpan>? elapsed = null)
    {
        this.ctx = ctx;
        this.everyIteration = everyIteration;
        if (elapsed is null)
        {
            var clock = Stopwatch.StartNew();
            elapsed = () => clock.Elapsed;
        }
        this.elapsed = elapsed;
    }

    /// <summary>The callback for <see cref="Fitting.FitOptions.Progress"/>, or null when no lines would show (saves the calls).</summary>
    public Action<string, int, double>? Callback => ctx.ShowPhases ? Report : null;

    public void Report(string phase, int iteration, double logLik)
    {
        if (!ctx.ShowPhases) return;
        lock (gate)
        {
            var now = elapsed();
            if (!everyIteration)
            {
                if (now < ctx.ProgressDelay) return;
                if (last is { } previous && now - previous < ctx.ProgressInterval) return;
            }
            last = now;
            lastLine = now;
        }
        ctx.Note(Line(phase, iteration, logLik));
    }

    /// <summary>
    /// Listens to the phases the library begins on this thread (<see cref="Diagnostics.ListenToPhases"/>) and starts
    /// the timer that reports them; dispose the result when the command's work is done. Nothing when no lines would show.
    /// </summary>
    public IDisposable StartTicking()
    {
        if (!ctx.ShowPhases) return new Stop(() => { });
        var listening = Diagnostics.ListenToPhases(Begin);
        var timer = new Timer(_ => Tick(), null, ctx.ProgressInterval, ctx.ProgressInterval);
        return new Stop(() =>
        {
            timer.Dispose();
            listening.Dispose();
            // A tick already under way finds no phase to report.
            lock (gate) phase = null;
        });
    }

    /// <summary>A phase begins (a name), or the current one ends (null). With --verbose it is shown at once.</summary>
    public void Begin(string? name)
    {
        if (!ctx.ShowPhases) return;
        lock (gate)
        {
            var now = elapsed();
            phase = name;
            phaseStart = now;
            phaseShown = name is not null && everyIteration;
            if (!phaseShown) return;
            lastLine = now;
        }
        ctx.Note($"  {name}");
    }

    /// <summary>
    /// Names the current phase once it has run for the delay, and again when it has gone
    /// <see cref="HeartbeatInterval"/> without a line.
    /// </summary>
    public void Tick()
    {
        // Written under the lock, so that no line follows the stop of StartTicking.
        lock (gate)
        {
            var now = elapsed();
            if (phase is null) return;
            if (!phaseShown)
            {
                if (now - phaseStart < ctx.ProgressDelay) return;
                phaseShown = true;
                ctx.Note($"  {phase}");
            }
            else
            {
                if (now - lastLine < HeartbeatInterval) return;
                ctx.Note($"  {phase}: {(now - phaseStart).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s so far");
            }
            lastLine = now;
        }
    }

    /// <summary>One progress line; PQL has no likelihood, so its lines give the iteration alone.</summary>
    public static string Line(string phase, int iteration, double logLik) =>
        double.IsFinite(logLik)
            ? $"  {phase} iteration {iteration}: log-likelihood {logLik.ToString("0.000", CultureInfo.InvariantCulture)}"
            : $"  {phase} iteration {iteration}";

    private sealed class Stop(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}

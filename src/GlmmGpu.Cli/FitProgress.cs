using System.Diagnostics;
using System.Globalization;

namespace GlmmGpu.Cli;

/// <summary>
/// Turns the estimators' per-iteration callbacks (<see cref="Fitting.FitOptions.Progress"/>) into progress
/// lines on stderr: <c>  fitting iteration 12: log-likelihood -92.027</c>. Shown only where phase lines are
/// (<see cref="CliContext.ShowPhases"/>). By default a line appears only once the fit has run for
/// <see cref="CliContext.ProgressDelay"/> and then at most once per <see cref="CliContext.ProgressInterval"/>,
/// so quick fits print nothing extra and long ones a few lines a second; with --verbose every iteration shows.
/// </summary>
public sealed class FitProgress
{
    private readonly CliContext ctx;
    private readonly bool everyIteration;
    private readonly Func<TimeSpan> elapsed;
    private readonly object gate = new();
    private TimeSpan? last;

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
        }
        ctx.Note(Line(phase, iteration, logLik));
    }

    /// <summary>One progress line; PQL has no likelihood, so its lines give the iteration alone.</summary>
    public static string Line(string phase, int iteration, double logLik) =>
        double.IsFinite(logLik)
            ? $"  {phase} iteration {iteration}: log-likelihood {logLik.ToString("0.000", CultureInfo.InvariantCulture)}"
            : $"  {phase} iteration {iteration}";
}

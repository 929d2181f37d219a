using System.Diagnostics;

namespace GlmmGpu;

/// <summary>
/// Phase marks: <see cref="Begin"/> names a phase that may take long as it starts, for whoever listens on the thread
/// (the command line's progress lines); <see cref="Mark"/> times the phase just ended on stderr when GLMMGPU_TRACE=1,
/// for profiling whole fits without a profiler.
/// </summary>
public static class Diagnostics
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("GLMMGPU_TRACE") == "1";
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static double last, lastJit;
    [ThreadStatic] private static bool muted;
    [ThreadStatic] private static Action<string?>? phaseListener;

    /// <summary>
    /// Sends the phases this thread begins to <paramref name="listener"/>, and null when one ends (<see cref="Mark"/>),
    /// until the result is disposed.
    /// </summary>
    public static IDisposable ListenToPhases(Action<string?> listener)
    {
        var previous = phaseListener;
        phaseListener = listener;
        return new Restore(() => phaseListener = previous);
    }

    /// <summary>A phase is starting (<c>GLM start (1000 fixed effects)</c>): named to this thread's listener.</summary>
    public static void Begin(string phase)
    {
        if (!muted) phaseListener?.Invoke(phase);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Silences <see cref="Mark"/> on the calling thread, whose phases are not the ones being timed (a warm-up fit's).</summary>
    public static void MuteThisThread() => muted = true;

    /// <summary>A phase has ended: its wall time, and how much of it the runtime spent JIT-compiling (on any thread).</summary>
    public static void Mark(string phase)
    {
        if (muted) return;
        phaseListener?.Invoke(null);
        if (!Enabled) return;
        double now = Clock.Elapsed.TotalSeconds;
        double jit = System.Runtime.JitInfo.GetCompilationTime().TotalSeconds;
        Console.Error.WriteLine($"[trace] {phase}: {now - last:F3} s (JIT {jit - lastJit:F3} s)");
        last = now;
        lastJit = jit;
    }
}

using System.Diagnostics;

namespace GlmmGpu;

/// <summary>Phase timings on stderr when GLMMGPU_TRACE=1, for profiling whole fits without a profiler.</summary>
public static class Diagnostics
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("GLMMGPU_TRACE") == "1";
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static double last, lastJit;
    [ThreadStatic] private static bool muted;

    /// <summary>Silences <see cref="Mark"/> on the calling thread, whose phases are not the ones being timed (a warm-up fit's).</summary>
    public static void MuteThisThread() => muted = true;

    /// <summary>The phase's wall time, and how much of it the runtime spent JIT-compiling (on any thread).</summary>
    public static void Mark(string phase)
    {
        if (!Enabled || muted) return;
        double now = Clock.Elapsed.TotalSeconds;
        double jit = System.Runtime.JitInfo.GetCompilationTime().TotalSeconds;
        Console.Error.WriteLine($"[trace] {phase}: {now - last:F3} s (JIT {jit - lastJit:F3} s)");
        last = now;
        lastJit = jit;
    }
}

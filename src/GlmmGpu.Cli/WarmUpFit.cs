using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Results;
using GlmmGpu.Engines;

namespace GlmmGpu.Cli;

/// <summary>
/// Fits the same model to the data's first rows on a background thread, on the CPU path, while the command builds
/// the model frame of the whole data and starts its fit. The fit's code is generic over the family's row model and
/// uses collections over the project's types, which the precompiled (ReadyToRun) image cannot hold, so the runtime
/// JIT-compiles it at first use, on the fit's critical path while a core idles. Warmed up, that work moves to the idle
/// core and the fit finds its code compiled (benchmarks/RESULTS.md, "warm-up"). The warm-up's result is discarded and
/// its errors ignored: the fit of the whole data reports its own.
/// </summary>
internal static class WarmUpFit
{
    /// <summary>Rows in the warm-up fit: enough for every phase of a fit to run, few enough to cost milliseconds.</summary>
    public const int Rows = 2000;

    /// <summary>Smaller data gain nothing: their model frame is built before the warm-up has compiled much.</summary>
    public const int MinimumRows = 50_000;

    /// <summary>Starts the warm-up where it can help: large data and a fit that may run on the CPU path.</summary>
    public static void Start(DataTable data, ModelSpec spec, FitOptions options, string source)
    {
        if (data.RowCount < MinimumRows || options.Execution.Device is not (DeviceChoice.Auto or DeviceChoice.Cpu)) return;
        var head = data.Head(Rows);
        // One thread, no progress: the warm-up must not take cores or lines of output from the fit it prepares.
        var warmUpOptions = options with { Execution = options.Execution with { Device = DeviceChoice.Cpu, Threads = 1 }, Progress = null };
        var thread = new Thread(() => Run(head, spec, warmUpOptions, source)) { IsBackground = true, Name = "glmm warm-up" };
        thread.Start();
    }

    private static void Run(DataTable head, ModelSpec spec, FitOptions options, string source)
    {
        Diagnostics.MuteThisThread();
        try
        {
            SummaryFormatter.Format(Glmm.Fit(head, spec, options), source);
        }
        catch (Exception)
        {
            // First rows that cannot be fitted (one group, a constant column) only leave the code uncompiled.
        }
    }
}

namespace GlmmGpu.Engines;

/// <summary>Which engine runs the per-cluster work. Auto prefers CUDA, then OpenCL, then the CPU SIMD path.</summary>
public enum DeviceChoice { Auto, Cpu, IlgpuCpu, Cuda, OpenCl }

/// <summary>
/// Where the kernels take exp and log from on a GPU. <c>Portable</c>: the project's own
/// <see cref="GlmmGpu.Kernels.Numerics.PortableMath"/>, the code the CPU path runs, compiled into the kernels.
/// <c>XMath</c>: ILGPU's own (ILGPU.Algorithms' software CORDIC on CUDA, OpenCL's built-ins). <c>LibDevice</c>:
/// NVIDIA's libdevice on CUDA (needs the CUDA toolkit's libNVVM and libdevice at run time), ILGPU's elsewhere.
/// The CPU path and ILGPU's CPU accelerator always run PortableMath.
/// </summary>
public enum DeviceMath { Portable, XMath, LibDevice }

/// <summary>The names <c>--device-math</c> and the device scripts use for <see cref="DeviceMath"/>.</summary>
public static class DeviceMathNames
{
    public static string Name(DeviceMath math) => math switch
    {
        DeviceMath.XMath => "xmath",
        DeviceMath.LibDevice => "libdevice",
        _ => "portable",
    };

    public static bool TryParse(string text, out DeviceMath math)
    {
        foreach (var m in Enum.GetValues<DeviceMath>())
            if (string.Equals(text.Trim(), Name(m), StringComparison.OrdinalIgnoreCase))
            {
                math = m;
                return true;
            }
        math = DeviceMath.Portable;
        return false;
    }
}

/// <summary>
/// Where a fit's work runs: the device, where its kernels take exp and log from, the CPU threads, and the largest
/// batch. Results do not depend on the threads or the batch, and depend on the device only by rounding.
/// </summary>
public sealed record ExecutionOptions
{
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>Where GPU kernels take exp and log from (see <see cref="Engines.DeviceMath"/>).</summary>
    public DeviceMath DeviceMath { get; init; } = DeviceMath.Portable;
    /// <summary>CPU threads for every parallel loop of a fit (0 = all cores).</summary>
    public int Threads { get; init; }
    /// <summary>Largest number of clusters per batch on a device (0 = sized by the device's memory).</summary>
    public int BatchClusters { get; init; }

    /// <summary>Where the CPU work runs: null for the thread pool. Every parallel loop of a fit queues to it.</summary>
    public TaskScheduler? Scheduler { get; init; }

    /// <summary>The thread limit and scheduler as every parallel loop of a fit takes them.</summary>
    public ParallelOptions Parallel => new()
    {
        MaxDegreeOfParallelism = Threads > 0 ? Threads : Environment.ProcessorCount,
        TaskScheduler = Scheduler ?? TaskScheduler.Default,
    };
}

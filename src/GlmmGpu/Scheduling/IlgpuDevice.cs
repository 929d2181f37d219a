using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GlmmGpu.Scheduling;

/// <summary>An ILGPU context and the one accelerator a fit runs on, owned and disposed together.</summary>
internal sealed class IlgpuDevice : IDisposable
{
    public IlgpuDevice(Context context, Accelerator accelerator, string name)
    {
        Context = context;
        Accelerator = accelerator;
        Name = name;
    }

    public Context Context { get; }
    public Accelerator Accelerator { get; }
    /// <summary>As results name it: <c>ilgpu-cpu</c>, <c>cuda:NAME</c> or <c>opencl:NAME</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Bytes the batch working set (scratch, and outputs where they are not resident) may take when
    /// <paramref name="freeBytes"/> are free beside the resident data: a quarter, within [16 MiB, 1 GiB] (the CPU
    /// accelerator reports no limit at all, hence the cap).
    /// </summary>
    public static long BatchBudget(long freeBytes) => Math.Clamp(freeBytes / 4, 16L << 20, 1L << 30);

    /// <summary>Device memory free once <paramref name="residentBytes"/> more are allocated. CUDA reports what is
    /// free now (so pass what is not yet allocated); elsewhere the total less <paramref name="residentBytes"/>
    /// stands in.</summary>
    public long FreeBytes(long residentBytes) =>
        Accelerator is CudaAccelerator cuda ? cuda.GetFreeMemory() - residentBytes : Accelerator.MemorySize - residentBytes;

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

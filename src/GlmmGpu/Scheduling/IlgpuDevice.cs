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
    /// Bytes the batch working set may take, once the resident data (<paramref name="residentBytes"/>) are on the
    /// device: a quarter of what is left, within [16 MiB, 1 GiB]. CUDA reports its free memory (which already
    /// excludes the resident data); elsewhere the total less the resident data stands in (the CPU accelerator
    /// reports no limit at all, hence the cap).
    /// </summary>
    public long WorkingSetBudget(long residentBytes) => Math.Clamp(FreeBytes(residentBytes) / 4, 16L << 20, 1L << 30);

    /// <summary>Device memory still free once <paramref name="residentBytes"/> are resident (see <see cref="WorkingSetBudget"/>).</summary>
    public long FreeBytes(long residentBytes) =>
        Accelerator is CudaAccelerator cuda ? cuda.GetFreeMemory() : Accelerator.MemorySize - residentBytes;

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>An ILGPU context and the one accelerator a fit runs on, owned and disposed together.</summary>
internal sealed class IlgpuDevice : IDisposable
{
    public IlgpuDevice(Context context, Accelerator accelerator, string name, string mathName)
    {
        Context = context;
        Accelerator = accelerator;
        Name = name;
        MathName = mathName;
    }

    public Context Context { get; }
    public Accelerator Accelerator { get; }
    /// <summary>As results name it: <c>ilgpu-cpu</c>, <c>cuda:NAME</c> or <c>opencl:NAME</c>.</summary>
    public string Name { get; }
    /// <summary>Where the kernels take exp and log from (<c>--device-math</c>'s name): part of what they compile to.</summary>
    public string MathName { get; }

    /// <summary>
    /// Bytes a batch's working set (work arrays and outputs) may take when <paramref name="freeBytes"/> are free beside
    /// the resident data: a quarter, at least 16 MiB, and at most 1 GiB on ILGPU's CPU accelerator, which reports no
    /// limit at all.
    /// </summary>
    public static long BatchBudget(long freeBytes, Accelerator accelerator) =>
        accelerator is CPUAccelerator ? Math.Clamp(freeBytes / 4, 16L << 20, 1L << 30) : Math.Max(16L << 20, freeBytes / 4);

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

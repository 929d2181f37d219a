using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// Finds and opens ILGPU devices. Every context enables ILGPU.Algorithms, which supplies the double-precision
/// Math.* functions the GPU backends lack natively; <see cref="DeviceMathRouting"/> decides whether the kernels'
/// exp and log are the project's own (the default) or those (<see cref="DeviceMath"/>).
/// </summary>
internal static class IlgpuDevices
{
    // ILGPU's CPU accelerator executes the kernels' own .NET code, not the IR ILGPU builds from it, so optimising
    // that IR would only slow kernel loading (seconds for the cluster kernel) without changing a result.
    public static IlgpuDevice OpenCpu() =>
        Open(b => b.CPU().Optimize(OptimizationLevel.O0), DeviceMath.Portable, cuda: false, context => context.GetCPUDevice(0).CreateAccelerator(context), _ => "ilgpu-cpu")
        ?? throw new InvalidOperationException("ILGPU's CPU accelerator is always available");

    public static IlgpuDevice OpenCuda(DeviceMath math) =>
        TryOpenCuda(math) ?? throw new GlmmException("no CUDA device found (ILGPU found no CUDA driver or no CUDA-capable GPU); use --device cpu");

    public static IlgpuDevice OpenOpenCl(DeviceMath math) =>
        TryOpenOpenCl(math, gpuOnly: false) ?? throw new GlmmException("no OpenCL device found (ILGPU found no OpenCL device with double precision); use --device cpu");

    /// <summary>CUDA, else an OpenCL GPU, else null; <paramref name="reason"/> says which and why, in one line.</summary>
    public static IlgpuDevice? TryOpenGpu(DeviceMath math, out string reason)
    {
        var cuda = TryOpenCuda(math);
        if (cuda is not null)
        {
            reason = $"auto: found {cuda.Name} (CUDA is preferred)";
            return cuda;
        }
        // OpenCL CPU devices (e.g. pocl) are skipped here: the CPU SIMD path is faster than they are.
        var openCl = TryOpenOpenCl(math, gpuOnly: true);
        if (openCl is not null)
        {
            reason = $"auto: no CUDA device; found {openCl.Name}";
            return openCl;
        }
        reason = "auto: no CUDA device or OpenCL GPU found; using the CPU SIMD path";
        return null;
    }

    /// <summary>The CUDA devices after the first (which <see cref="OpenCuda"/> opens), each in its own context,
    /// for a fit spread over several GPUs.</summary>
    public static List<IlgpuDevice> OpenOtherCudaDevices(DeviceMath math)
    {
        var devices = new List<IlgpuDevice>();
        for (int index = 1; ; index++)
        {
            int i = index;
            var device = Open(
                b => b.Cuda(),
                math, cuda: true,
                context => context.GetCudaDevices().Count > i ? context.CreateCudaAccelerator(i) : null,
                a => "cuda:" + a.Name);
            if (device is null) return devices;
            devices.Add(device);
        }
    }

    private static IlgpuDevice? TryOpenCuda(DeviceMath math)
    {
        try
        {
            return Open(
                b => b.Cuda(),
                math, cuda: true,
                context => context.GetCudaDevices().Count > 0 ? context.CreateCudaAccelerator(0) : null,
                a => "cuda:" + a.Name);
        }
        catch (Exception e) when (math == DeviceMath.LibDevice && e is not GlmmException)
        {
            throw new GlmmException($"could not open CUDA with libdevice math ({e.Message}); libdevice needs the CUDA SDK (libNVVM and libdevice) on this machine");
        }
    }

    private static IlgpuDevice? TryOpenOpenCl(DeviceMath math, bool gpuOnly) =>
        Open(
            b => b.OpenCL(d => d.Capabilities.Float64 && (!gpuOnly || d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU)),
            math, cuda: false,
            context => context.GetCLDevices().Count > 0 ? context.CreateCLAccelerator(0) : null,
            a => "opencl:" + a.Name);

    /// <summary>A context with the given devices (whose setup may override the optimisation level); the accelerator
    /// <paramref name="create"/> picks, or null (and the context disposed) when there is none.</summary>
    private static IlgpuDevice? Open(Action<Context.Builder> devices, DeviceMath math, bool cuda, Func<Context, Accelerator?> create, Func<Accelerator, string> name)
    {
        var context = Context.Create(b =>
        {
            b.EnableAlgorithms().Optimize(OptimizationLevel.O1);
            devices(b);
            DeviceMathRouting.Configure(b, math, cuda);
        });
        try
        {
            var accelerator = create(context);
            if (accelerator is null)
            {
                context.Dispose();
                return null;
            }
            return new IlgpuDevice(context, accelerator, name(accelerator), DeviceMathNames.Name(math));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}

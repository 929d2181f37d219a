using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Engines;

/// <summary>
/// Turns <see cref="ExecutionOptions.Device"/> into an open ILGPU device, or null for the CPU SIMD path, with one line
/// on why. Shared by the engine factories, so every method picks its device by the same rules; <c>auto</c> weighs a GPU
/// it finds against the CPU path for the <paramref name="work"/> at hand (<see cref="AutoDeviceRule"/>).
/// </summary>
internal static class DeviceSelection
{
    public static IlgpuDevice? Open(ExecutionOptions options, Workload work, out string reason)
    {
        switch (options.Device)
        {
            case DeviceChoice.Cpu:
                reason = "requested: the CPU SIMD path";
                return null;
            case DeviceChoice.IlgpuCpu:
                reason = "requested: ILGPU's CPU accelerator";
                return IlgpuDevices.OpenCpu();
            case DeviceChoice.Cuda:
                var cuda = IlgpuDevices.OpenCuda(options.DeviceMath);
                reason = $"requested: {cuda.Name}";
                return cuda;
            case DeviceChoice.OpenCl:
                var openCl = IlgpuDevices.OpenOpenCl(options.DeviceMath);
                reason = $"requested: {openCl.Name}";
                return openCl;
            default:
                var gpu = IlgpuDevices.TryOpenGpu(options.DeviceMath, out reason);
                if (gpu is null || gpu.Accelerator is not ILGPU.Runtime.Cuda.CudaAccelerator) return gpu;
                int cores = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
                if (AutoDeviceRule.PrefersGpu(work, gpu.Name, cores, out reason)) return gpu;
                gpu.Dispose();
                return null;
        }
    }
}

using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Engines;

/// <summary>
/// Turns <see cref="ExecutionOptions.Device"/> into an open ILGPU device, or null for the CPU SIMD path, with one line
/// on why. Shared by the engine factories, so every method picks its device by the same rules.
/// </summary>
internal static class DeviceSelection
{
    public static IlgpuDevice? Open(ExecutionOptions options, out string reason)
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
                return IlgpuDevices.TryOpenGpu(options.DeviceMath, out reason);
        }
    }
}

using GlmmGpu.Engines;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>Several grouping factors run on the CPU path; a device asked for is named in the record's reason (and on
/// stderr by the command line), never silently ignored.</summary>
internal static class CrossedDevice
{
    public const string CpuOnly = "several grouping factors are fitted on the CPU path (the blocked Cholesky has no device version yet)";

    /// <summary>Whether the user asked for a device the fit does not use.</summary>
    public static bool AskedForDevice(ExecutionOptions execution) => execution.Device is DeviceChoice.Cuda or DeviceChoice.OpenCl or DeviceChoice.IlgpuCpu;

    public static void Record(FitRecorder recorder, FitOptions options)
    {
        recorder.Device = "cpu";
        var asked = options.Execution.Device;
        recorder.DeviceReason = AskedForDevice(options.Execution)
            ? $"--device {DeviceName(asked)} asked for, but {CpuOnly}"
            : asked == DeviceChoice.Auto ? $"auto: {CpuOnly}" : "requested: the CPU path";
    }

    private static string DeviceName(DeviceChoice device) => device switch
    {
        DeviceChoice.Cuda => "cuda",
        DeviceChoice.OpenCl => "opencl",
        DeviceChoice.IlgpuCpu => "ilgpu-cpu",
        _ => "cpu",
    };
}

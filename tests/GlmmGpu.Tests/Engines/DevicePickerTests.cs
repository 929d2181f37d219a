using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Tests.Fitting;
using ILGPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Xunit;

namespace GlmmGpu.Tests.Engines;

/// <summary>
/// Device choice through <see cref="EngineFactory"/>. Each GPU case checks whichever outcome this machine
/// calls for: the device when one is present, the clear error when none is.
/// </summary>
public class DevicePickerTests
{
    private static readonly MarginalLikelihoodData Data =
        MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 4, perGroup: 3, q: 1, correlated: false, seed: 1), 1);

    [Fact]
    public void IlgpuCpuIsIlgpusCpuAccelerator()
    {
        using var engine = EngineFactory.Create(Data, new ExecutionOptions { Device = DeviceChoice.IlgpuCpu }, 1, out var reason);
        Assert.Equal("ilgpu-cpu", engine.Device);
        Assert.Contains("CPU accelerator", reason);
    }

    [Fact]
    public void CpuIsTheSimdPath()
    {
        using var engine = EngineFactory.Create(Data, new ExecutionOptions { Device = DeviceChoice.Cpu }, 1, out var reason);
        Assert.Equal("cpu", engine.Device);
        Assert.Equal("requested: the CPU SIMD path", reason);
    }

    [Fact]
    public void CudaOpensACudaDeviceOrSaysThereIsNone()
    {
        var options = new ExecutionOptions { Device = DeviceChoice.Cuda };
        if (HasCuda())
        {
            using var engine = EngineFactory.Create(Data, options);
            Assert.StartsWith("cuda:", engine.Device);
        }
        else
        {
            var error = Assert.Throws<GlmmException>(() => EngineFactory.Create(Data, options));
            Assert.Contains("no CUDA device found", error.Message);
        }
    }

    [Fact]
    public void OpenClOpensAnOpenClDeviceOrSaysThereIsNone()
    {
        var options = new ExecutionOptions { Device = DeviceChoice.OpenCl };
        if (HasOpenCl(gpuOnly: false))
        {
            using var engine = EngineFactory.Create(Data, options);
            Assert.StartsWith("opencl:", engine.Device);
        }
        else
        {
            var error = Assert.Throws<GlmmException>(() => EngineFactory.Create(Data, options));
            Assert.Contains("no OpenCL device found", error.Message);
        }
    }

    [Fact]
    public void AutoPrefersCudaThenOpenClThenTheCpuPath()
    {
        using var engine = EngineFactory.Create(Data, new ExecutionOptions { Device = DeviceChoice.Auto }, 1, out var reason);
        // A CUDA device is weighed against the CPU path (AutoDeviceRule): 12 rows go to the CPU path.
        string expected = HasOpenCl(gpuOnly: true) && !HasCuda() ? "opencl:" : "cpu";
        Assert.StartsWith(expected, engine.Device);
        Assert.StartsWith("auto: ", reason);
    }

    private static bool HasCuda()
    {
        using var context = Context.Create(b => b.Cuda());
        return context.GetCudaDevices().Count > 0;
    }

    private static bool HasOpenCl(bool gpuOnly)
    {
        using var context = Context.Create(b => b.OpenCL(d => d.Capabilities.Float64 && (!gpuOnly || d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU)));
        return context.GetCLDevices().Count > 0;
    }
}

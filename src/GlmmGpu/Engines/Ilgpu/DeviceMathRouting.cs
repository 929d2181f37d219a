using System.Reflection;
using GlmmGpu.Kernels.Numerics;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.IR;
using ILGPU.IR.Intrinsics;
using ILGPU.Runtime.Cuda;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// Chooses, per ILGPU context, what the kernels' <see cref="PortableMath.Exp"/> and <see cref="PortableMath.Log"/>
/// (marked as intrinsics) compile to on GPU backends: by default <see cref="PortableMath.PlainExp"/> and
/// <see cref="PortableMath.PlainLog"/>, the same code the CPU path runs; for <see cref="DeviceMath.XMath"/> and
/// <see cref="DeviceMath.LibDevice"/>, Math.Exp and Math.Log, which ILGPU.Algorithms maps to its own implementation
/// (CORDIC on PTX, the built-ins on OpenCL) or, with libdevice enabled, to NVIDIA's. The math code itself is not
/// touched: the choice is made where the device is opened, as the scheduling layer's job. Every context that
/// compiles the kernels must be configured here (ILGPU refuses an intrinsic without an implementation).
/// </summary>
internal static class DeviceMathRouting
{
    public static void Configure(Context.Builder builder, DeviceMath math, bool cuda)
    {
        var manager = builder.GetIntrinsicManager();
        foreach (var (name, plain) in new[] { (nameof(PortableMath.Exp), nameof(PortableMath.PlainExp)), (nameof(PortableMath.Log), nameof(PortableMath.PlainLog)) })
        {
            var source = typeof(PortableMath).GetMethod(name, BindingFlags.Public | BindingFlags.Static, new[] { typeof(double) })!;
            var (type, target) = math == DeviceMath.Portable ? (typeof(PortableMath), plain) : (typeof(IlgpuMath), name);
            manager.RegisterMethod(source, new PTXIntrinsic(type, target, IntrinsicImplementationMode.Redirect));
            manager.RegisterMethod(source, new CLIntrinsic(type, target, IntrinsicImplementationMode.Redirect));
        }
        // Only where a CUDA device was found: without one the toolkit is not needed, and --device auto moves on.
        if (math == DeviceMath.LibDevice && cuda && AnyCudaDevice())
        {
            var (nvvm, libDevice) = LibDeviceLocation.Find(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows());
            builder.LibDevice(nvvm, libDevice);
        }
    }

    private static bool AnyCudaDevice()
    {
        using var probe = Context.Create(b => b.Cuda());
        return probe.GetCudaDevices().Count > 0;
    }

    /// <summary>The redirect targets: ILGPU maps Math.Exp and Math.Log on each backend.</summary>
    internal static class IlgpuMath
    {
        public static double Exp(double x) => Math.Exp(x);
        public static double Log(double x) => Math.Log(x);
    }
}

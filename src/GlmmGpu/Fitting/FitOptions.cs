using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Fitting;

public enum FitMethod { Laplace, Agq, Pql, Ml, Reml }

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

/// <summary>How to fit: method, quadrature nodes, device, and optimizer limits.</summary>
public sealed record FitOptions
{
    public FitMethod Method { get; init; } = FitMethod.Laplace;
    /// <summary>Quadrature nodes per random effect (1 means Laplace).</summary>
    public int NAgq { get; init; } = 1;
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    public int MaxIterations { get; init; } = 500;
    /// <summary>For PQL: fix the residual scale at 1 (Breslow and Clayton) instead of estimating it (glmmPQL).</summary>
    public bool PqlFixedScale { get; init; }
    /// <summary>Threads for the CPU path (0 = all cores). Results do not depend on it.</summary>
    public int Threads { get; init; }
    /// <summary>Largest number of clusters per batch (0 = sized by the device's memory).</summary>
    public int BatchClusters { get; init; }
    /// <summary>Where GPU kernels take exp and log from (see <see cref="Fitting.DeviceMath"/>).</summary>
    public DeviceMath DeviceMath { get; init; } = DeviceMath.Portable;
    /// <summary>
    /// Called with (phase, iteration, current log-likelihood) after each optimizer iteration: Laplace and AGQ
    /// ("fitting"), ML and REML ("ML", "REML"; REML gives the REML log-likelihood) and PQL ("PQL", NaN: no likelihood).
    /// </summary>
    public Action<string, int, double>? Progress { get; init; }
    /// <summary>Whether Laplace and AGQ fits with many clusters may start from the fit to a sample of them
    /// (<see cref="SampleStart"/>); off only to compare with the start from the GLM.</summary>
    internal bool AllowSampleStart { get; init; } = true;
}

/// <summary>What the user asks for: data, formula, family and link.</summary>
public sealed record ModelSpec(string Formula, FamilyKind Family, LinkKind? Link = null, string? Weights = null);

using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Fitting;

public enum FitMethod { Laplace, Agq, Pql, Ml, Reml }

/// <summary>Which engine runs the per-cluster work. Auto prefers CUDA, then OpenCL, then the CPU SIMD path.</summary>
public enum DeviceChoice { Auto, Cpu, IlgpuCpu, Cuda, OpenCl }

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
    /// <summary>On CUDA, take double-precision log/exp/sin from NVIDIA's libdevice (needs the CUDA SDK) instead of
    /// ILGPU.Algorithms' software versions.</summary>
    public bool CudaLibDevice { get; init; }
    /// <summary>
    /// Called with (phase, iteration, current log-likelihood) after each optimizer iteration: Laplace and AGQ
    /// ("fitting"), ML and REML ("ML", "REML"; REML gives the REML log-likelihood) and PQL ("PQL", NaN: no likelihood).
    /// </summary>
    public Action<string, int, double>? Progress { get; init; }
}

/// <summary>What the user asks for: data, formula, family and link.</summary>
public sealed record ModelSpec(string Formula, FamilyKind Family, LinkKind? Link = null, string? Weights = null);

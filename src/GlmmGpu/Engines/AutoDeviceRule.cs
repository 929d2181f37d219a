namespace GlmmGpu.Engines;

/// <summary>What a fit asks of its engine: the rows, the quadrature points per cluster (1 for Laplace), and whether
/// it is the linear mixed model's or PQL's engine (<see cref="ILinearEngine"/>) rather than the marginal likelihood's.</summary>
public readonly record struct Workload(long Rows, int QuadraturePoints, bool Linear)
{
    public static Workload Likelihood(long rows, int nodesPerEffect, int effects) =>
        new(rows, (int)Math.Min(int.MaxValue, Math.Pow(nodesPerEffect, effects)), false);

    public static Workload LinearModel(long rows) => new(rows, 1, true);
}

/// <summary>
/// <c>--device auto</c>'s choice between a GPU that was found and the CPU path: each fit's time estimated from figures
/// measured on an NVIDIA H200 with 16 CPU cores beside it (../shared/gpu/README.md, benchmarks/RESULTS.md), the
/// device's as its start (kernel loading and upload) plus its evaluations, the CPU path's as its evaluations over the
/// cores it has. The GPU is taken where its estimate is lower. The figures are those of the kernels before the slot
/// layout (2026-12-04): the GPU's start and evaluations measured there, and a dozen evaluations a fit. PQL and the
/// linear mixed model stay on the CPU path: their device engine was slower at every size measured.
/// </summary>
public static class AutoDeviceRule
{
    /// <summary>The GPU's cost before its first evaluation: kernel loading and upload, 3.6 to 7.4 s measured.</summary>
    public const double GpuStartSeconds = 4.0;
    /// <summary>One evaluation on the GPU per row and quadrature point: AGQ 7 at 1e8 rows took 48 ms, Laplace 28.6 ms.</summary>
    public const double GpuSecondsPerRowPoint = 0.07e-9;
    public const double GpuSecondsPerRow = 0.29e-9;
    /// <summary>One evaluation on the CPU path per row, per core: AGQ 7 at 1e7 rows took 241 ms on 16 cores; Laplace
    /// about a third of that.</summary>
    public const double CpuCoreSecondsPerRowPoint = 0.036e-6;
    public const double CpuCoreSecondsPerRow = 0.13e-6;
    /// <summary>Evaluations a fit makes, as measured at 1e7 and 1e8 rows.</summary>
    public const int Evaluations = 12;

    /// <summary>Whether to take the GPU <paramref name="device"/> found, with the estimates behind the answer.</summary>
    public static bool PrefersGpu(Workload work, string device, int cores, out string reason)
    {
        if (work.Linear)
        {
            reason = $"auto: found {device}, but PQL and the linear mixed model run faster on the CPU path at every size measured";
            return false;
        }
        double perEvaluationRows = work.Rows * (double)Evaluations;
        double cpu = perEvaluationRows * (CpuCoreSecondsPerRow + CpuCoreSecondsPerRowPoint * (work.QuadraturePoints - 1)) / Math.Max(1, cores);
        double gpu = GpuStartSeconds + perEvaluationRows * (GpuSecondsPerRow + GpuSecondsPerRowPoint * (work.QuadraturePoints - 1));
        bool useGpu = gpu < cpu;
        reason = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"auto: {(useGpu ? device : "the CPU SIMD path")} (for {work.Rows:N0} rows and {work.QuadraturePoints} quadrature point{(work.QuadraturePoints == 1 ? "" : "s")} a cluster, about {gpu:G2} s estimated on {device}, {cpu:G2} s on {cores} CPU cores)");
        return useGpu;
    }
}

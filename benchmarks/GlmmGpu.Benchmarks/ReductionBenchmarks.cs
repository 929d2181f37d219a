using BenchmarkDotNet.Attributes;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Engines.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// The two reductions behind every likelihood evaluation, at 1e6 rows, 5 fixed effects and 1e5 clusters: X'alpha
/// (the fixed-effects gradient) and the sum of the clusters' outputs (log-likelihood, dispersion and Lambda
/// gradients), on the CPU path. On a device both are added into each block's partial sums inside the cluster
/// kernels; what remains apart is the second stage, <see cref="ReductionKernels.SumBlocks"/> over the blocks'
/// partials (13 quantities of 1e5 / 256 blocks), timed here on ILGPU's CPU accelerator.
/// </summary>
[MemoryDiagnoser]
public class ReductionBenchmarks
{
    private const int Rows = 1_000_000, P = 5, Clusters = 100_000, ClusterBlock = 256;
    private double[] x = null!, alpha = null!, gradient = null!;
    private ClusterOutput[] outputs = null!;
    private ParallelOptions parallel = null!;
    private IlgpuDevice? device;
    private const int Values = EvaluationViews.ClusterValues + P, Blocks = (Clusters + ClusterBlock - 1) / ClusterBlock;
    private MemoryBuffer1D<double, Stride1D.Dense>? dpartials, dtotals;
    private Action<KernelConfig, ArrayView<double>, int, ArrayView<double>>? sumBlocks;

    [Params("cpu", "ilgpu-cpu")]
    public string Device { get; set; } = "cpu";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        x = Enumerable.Range(0, Rows * P).Select(_ => rng.NextDouble() - 0.5).ToArray();
        alpha = Enumerable.Range(0, Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        outputs = Enumerable.Range(0, Clusters).Select(_ => new ClusterOutput { LogLik = -rng.NextDouble(), DispersionGradient = rng.NextDouble() }).ToArray();
        gradient = new double[P];
        parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        if (Device == "cpu") return;
        device = IlgpuDevices.OpenCpu();
        var a = device.Accelerator;
        dpartials = a.Allocate1D(Enumerable.Range(0, Values * Blocks).Select(_ => rng.NextDouble() - 0.5).ToArray());
        dtotals = a.Allocate1D<double>(Values);
        sumBlocks = a.LoadStreamKernel<ArrayView<double>, int, ArrayView<double>>(ReductionKernels.SumBlocks);
    }

    /// <summary>X'alpha on the CPU path; on the device it is part of the cluster kernels (nothing to time apart).</summary>
    [Benchmark]
    public double FixedEffectsGradient()
    {
        if (device is not null) return 0;
        CpuMarginalLikelihood<Kernels.Families.BinomialLogit>.XtAlpha(x, Rows, P, alpha, parallel, gradient);
        return gradient[0];
    }

    /// <summary>The blocks' partials into totals (the device's second stage). The CPU path sums the clusters' outputs
    /// inside its integration loop and has no such pass; its row here is a plain sequential pass over the outputs, for scale.</summary>
    [Benchmark]
    public double ClusterTotals()
    {
        if (device is null)
        {
            double ll = 0, phi = 0;
            foreach (ref readonly var o in outputs.AsSpan())
            {
                ll += o.LogLik;
                phi += o.DispersionGradient;
            }
            return ll + phi;
        }
        sumBlocks!(new KernelConfig(Values, Math.Min(256, device.Accelerator.MaxNumThreadsPerGroup)), dpartials!.View, Blocks, dtotals!.View);
        device.Accelerator.Synchronize();
        return 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        dpartials?.Dispose();
        dtotals?.Dispose();
        device?.Dispose();
    }
}

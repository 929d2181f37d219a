using BenchmarkDotNet.Attributes;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Kernels;
using GlmmGpu.Scheduling;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// The two reductions behind every likelihood evaluation, at 1e6 rows, 5 fixed effects and 1e5 clusters: X'alpha
/// (the fixed-effects gradient) and the sum of the clusters' outputs (log-likelihood, dispersion and Lambda
/// gradients), on the CPU path and as the deterministic kernels on ILGPU's CPU accelerator.
/// </summary>
[MemoryDiagnoser]
public class ReductionBenchmarks
{
    private const int Rows = 1_000_000, P = 5, Clusters = 100_000, RowBlock = 4096, ClusterBlock = 256;
    private double[] x = null!, alpha = null!, gradient = null!;
    private ClusterOutput[] outputs = null!;
    private ParallelOptions parallel = null!;
    private IlgpuDevice? device;
    private MemoryBuffer1D<double, Stride1D.Dense>? dx, dalpha, dpartials, dclusterPartials;
    private MemoryBuffer1D<ClusterOutput, Stride1D.Dense>? doutputs;
    private Action<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int, int, int, int, ArrayView<double>>? fixedGradient;
    private Action<Index1D, ArrayView<ClusterOutput>, int, int, int, int, ArrayView<double>>? clusterSums;

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
        dx = a.Allocate1D(x);
        dalpha = a.Allocate1D(alpha);
        dpartials = a.Allocate1D<double>((Rows + RowBlock - 1) / RowBlock * P);
        doutputs = a.Allocate1D(outputs);
        dclusterPartials = a.Allocate1D<double>((Clusters + ClusterBlock - 1) / ClusterBlock * ReductionKernels.ClusterPartialWidth);
        fixedGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int, int, int, int, ArrayView<double>>(ReductionKernels.FixedGradient);
        clusterSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<ClusterOutput>, int, int, int, int, ArrayView<double>>(ReductionKernels.ClusterSums);
    }

    /// <summary>X'alpha into per-block partials (the device) or in full (the CPU path).</summary>
    [Benchmark]
    public double FixedEffectsGradient()
    {
        if (device is null)
        {
            CpuMarginalLikelihood<Kernels.Families.BinomialLogit>.XtAlpha(x, Rows, P, alpha, parallel, gradient);
            return gradient[0];
        }
        int blocks = (Rows + RowBlock - 1) / RowBlock;
        fixedGradient!(P * blocks, dx!.View, dalpha!.View, Rows, 0, Rows, 0, blocks, blocks, RowBlock, dpartials!.View);
        device.Accelerator.Synchronize();
        return 0;
    }

    /// <summary>The clusters' outputs into per-block partials (the device). The CPU path sums them inside its
    /// integration loop and has no such pass; its row here is a plain sequential pass over the outputs, for scale.</summary>
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
        int blocks = (Clusters + ClusterBlock - 1) / ClusterBlock;
        clusterSums!(blocks, doutputs!.View, 0, Clusters, 0, ClusterBlock, dclusterPartials!.View);
        device.Accelerator.Synchronize();
        return 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        dx?.Dispose();
        dalpha?.Dispose();
        dpartials?.Dispose();
        doutputs?.Dispose();
        dclusterPartials?.Dispose();
        device?.Dispose();
    }
}

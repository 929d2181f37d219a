using BenchmarkDotNet.Attributes;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// PQL's two passes over the rows, per iteration, on 1e6 simulated logistic rows in 1e5 groups: the working
/// response and weights with the cross-products the working linear model needs (one pass), and the new linear
/// predictor eta = X beta + Z b with how far it moved. On the CPU path and on ILGPU's CPU accelerator.
/// </summary>
[MemoryDiagnoser]
public class RowPassBenchmarks
{
    private ILinearEngine engine = null!;
    private double[] beta = null!, modes = null!;
    private int q;

    [Params("cpu", "ilgpu-cpu")]
    public string Device { get; set; } = "cpu";

    [GlobalSetup]
    public void Setup()
    {
        var frame = BenchmarkData.Frame(1_000_000, 100_000, FamilyKind.Binomial, slopes: false);
        var block = frame.RandomEffects[0];
        q = block.Q;
        engine = LinearEngineFactory.Create<BinomialLogit>(frame, block,
            new ExecutionOptions { Device = Device == "cpu" ? DeviceChoice.Cpu : DeviceChoice.IlgpuCpu }, out _);
        beta = new[] { -0.5, 0.5, -0.3, 0.2, 0.4 };
        var rng = new Random(3);
        modes = Enumerable.Range(0, block.LevelCount * q).Select(_ => 0.8 * (rng.NextDouble() - 0.5)).ToArray();
        engine.UpdateEta(beta, modes, q);
    }

    /// <summary>Working response, working weights and the cross-products, in one pass (returns y'Wy, so that
    /// nothing is optimised away; the types are internal).</summary>
    [Benchmark]
    public double WorkingStatistics() => engine.WorkingStatistics(1.0).YtWy;

    /// <summary>eta = offset + X beta + Z b and its change (glmmPQL's convergence test).</summary>
    [Benchmark]
    public double UpdateEta() => engine.UpdateEta(beta, modes, q).Change;

    [GlobalCleanup]
    public void Cleanup() => engine.Dispose();
}

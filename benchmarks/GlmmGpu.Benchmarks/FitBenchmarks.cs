using BenchmarkDotNet.Attributes;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Engines;

namespace GlmmGpu.Benchmarks;

/// <summary>Whole fits (model frame already built) at 1e4, 1e5 and 1e6 rows with ten rows per group.</summary>
[MemoryDiagnoser]
public class FitBenchmarks
{
    private ModelFrame frame = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Rows { get; set; }

    [Params("laplace", "agq7", "pql")]
    public string Method { get; set; } = "laplace";

    [GlobalSetup]
    public void Setup() => frame = BenchmarkData.Frame(Rows, Rows / 10, FamilyKind.Binomial, slopes: false);

    [Benchmark]
    public double Fit()
    {
        var options = Method switch
        {
            "agq7" => new FitOptions { Method = FitMethod.Agq, NAgq = 7, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } },
            "pql" => new FitOptions { Method = FitMethod.Pql, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } },
            _ => new FitOptions { Method = FitMethod.Laplace, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } },
        };
        return Glmm.Fit(frame, options).FixedEffects[1].Estimate;
    }
}

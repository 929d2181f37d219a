using BenchmarkDotNet.Attributes;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Scheduling;
using GlmmGpu.Simulation;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// One log-likelihood-and-gradient evaluation (the optimizer's unit of work) on 1e6 simulated logistic rows in
/// 1e5 groups, by node count; divide by the row count for the cost per row.
/// </summary>
[MemoryDiagnoser]
public class MarginalLikelihoodBenchmarks
{
    private IMarginalLikelihood engine = null!;
    private double[] psi = null!, gradient = null!;

    [Params(1, 3, 7, 15, 25)]
    public int Nodes { get; set; }

    [Params("cpu")]
    public string Device { get; set; } = "cpu";

    [GlobalSetup]
    public void Setup()
    {
        var frame = BenchmarkData.Frame(1_000_000, 100_000, FamilyKind.Binomial, slopes: false);
        var data = MarginalLikelihoodData.Create(frame, Nodes);
        engine = EngineFactory.Create(data, new FitOptions { Device = Device == "cpu" ? DeviceChoice.Cpu : DeviceChoice.IlgpuCpu });
        psi = new[] { -0.5, 0.5, -0.3, 0.2, 0.4, 0.8 };
        gradient = new double[psi.Length];
        engine.Evaluate(psi, gradient);
    }

    [Benchmark]
    public double Evaluate() => engine.Evaluate(psi, gradient);

    [GlobalCleanup]
    public void Cleanup() => engine.Dispose();
}

/// <summary>Simulated data sets shared by the benchmarks, loaded through the real CSV path.</summary>
internal static class BenchmarkData
{
    public static string File(int rows, int groups, FamilyKind family, bool slopes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"glmm-bench-{family}-{rows}-{groups}{(slopes ? "-slopes" : "")}.csv");
        if (!System.IO.File.Exists(path))
        {
            using var s = System.IO.File.Create(path);
            Simulator.Write(new SimulationSpec(rows, groups, family, Slopes: slopes), s);
        }
        return path;
    }

    public static ModelFrame Frame(int rows, int groups, FamilyKind family, bool slopes)
    {
        var table = CsvLoader.Load(File(rows, groups, family, slopes));
        var re = slopes ? "(1 + x1 || g)" : "(1 | g)";
        return Glmm.Frame(table, new ModelSpec($"y ~ x1 + x2 + x3 + x4 + {re}", family));
    }
}

using BenchmarkDotNet.Attributes;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Simulation;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// One log-likelihood-and-gradient evaluation (the optimizer's unit of work) on 1e5 simulated logistic rows in 1e4
/// groups, by q (random effects per group) and K (nodes per effect, K^q points), on the CPU SIMD path and on
/// ILGPU's CPU accelerator; multiply by 10 for the time per million rows.
/// </summary>
[MemoryDiagnoser]
public class MarginalLikelihoodBenchmarks
{
    private IMarginalLikelihoodEngine engine = null!;
    private double[] psi = null!, gradient = null!;

    /// <summary>q and K, keeping K^q at most 400 points per cluster.</summary>
    public static IEnumerable<string> Cases() => new[] { "q1-k1", "q1-k3", "q1-k7", "q1-k15", "q1-k25", "q2-k1", "q2-k7", "q2-k15", "q3-k1", "q3-k7" };

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "q1-k1";

    [Params("cpu", "ilgpu-cpu")]
    public string Device { get; set; } = "cpu";

    [GlobalSetup]
    public void Setup()
    {
        int q = Case[1] - '0', nodes = int.Parse(Case[4..]);
        var re = q switch { 1 => "(1 | g)", 2 => "(1 + x1 | g)", _ => "(1 + x1 + x2 | g)" };
        var frame = BenchmarkData.Frame(100_000, 10_000, FamilyKind.Binomial, slopes: true, re);
        var data = MarginalLikelihoodData.Create(frame, nodes);
        engine = EngineFactory.Create(data, new ExecutionOptions { Device = Device == "cpu" ? DeviceChoice.Cpu : DeviceChoice.IlgpuCpu });
        psi = new double[data.Layout.Count];
        new[] { -0.5, 0.5, -0.3, 0.2, 0.4 }.CopyTo(psi, 0);
        for (int k = 0; k < data.Layout.ThetaCount; k++)
            psi[data.Layout.ThetaOffset + k] = data.Layout.IsThetaDiagonal(k) ? 0.6 : 0.1;
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

    public static ModelFrame Frame(int rows, int groups, FamilyKind family, bool slopes, string? randomTerm = null)
    {
        var table = CsvLoader.Load(File(rows, groups, family, slopes));
        var re = randomTerm ?? (slopes ? "(1 + x1 || g)" : "(1 | g)");
        return Glmm.Frame(table, new ModelSpec($"y ~ x1 + x2 + x3 + x4 + {re}", family));
    }
}

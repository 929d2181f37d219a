using System.Diagnostics;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Scheduling;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>profile FILE.csv NODES [THREADS]</c>: phase timings of one logistic random-intercept fit, and the cost of
/// single likelihood evaluations next to a bare loop of the same transcendental work (the floor of one pass).
/// </summary>
internal static class ProfileRun
{
    public static int Run(string[] args)
    {
        int nodes = int.Parse(args[1]), threads = args.Length > 2 ? int.Parse(args[2]) : 0;
        var sw = Stopwatch.StartNew();
        var table = CsvLoader.Load(args[0]);
        Console.WriteLine($"load {sw.Elapsed.TotalSeconds:F3} s");
        sw.Restart();
        var frame = Glmm.Frame(table, new ModelSpec("y ~ x1 + x2 + x3 + x4 + (1 | g)", FamilyKind.Binomial));
        Console.WriteLine($"frame {sw.Elapsed.TotalSeconds:F3} s");
        var options = new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Device = DeviceChoice.Cpu, Threads = threads };
        using var engine = EngineFactory.Create(MarginalLikelihoodData.Create(frame, nodes), options);
        var psi = new[] { -0.5, 0.5, -0.3, 0.2, 0.4, 0.8 };
        var gradient = new double[psi.Length];
        for (int i = 0; i < 6; i++)
        {
            sw.Restart();
            engine.Evaluate(psi, gradient);
            Console.WriteLine($"evaluation {sw.Elapsed.TotalMilliseconds:F1} ms, Newton iterations per cluster {engine.Clusters.Average(c => c.NewtonIterations):F2}");
            psi[5] += 1e-3;
        }
        var eta = frame.Response.Select((_, i) => 0.001 * (i % 2000) - 1).ToArray();
        double sink = 0;
        sw.Restart();
        for (int rep = 0; rep < 5; rep++)
            for (int i = 0; i < eta.Length; i++)
            {
                default(BinomialLogit).Evaluate(frame.Response[i], 1, eta[i], 1, out var d);
                sink += d.L + d.L1 + d.L2;
            }
        Console.WriteLine($"bare row likelihood: {sw.Elapsed.TotalMilliseconds / 5 / eta.Length * 1e6:F1} ns per row ({sink:G3})");
        sw.Restart();
        var fit = Glmm.Fit(frame, options);
        Console.WriteLine($"fit {sw.Elapsed.TotalSeconds:F3} s, {fit.Iterations} iterations, {fit.FunctionEvaluations} evaluations");
        return 0;
    }
}

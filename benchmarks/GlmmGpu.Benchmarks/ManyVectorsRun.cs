using System.Diagnostics;
using System.Globalization;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>many ROWS GROUPS NODES K [DEVICE]</c>: one engine's K single evaluations, each from the same modes, against its
/// evaluation of the K vectors together (<see cref="IMarginalLikelihoodEngine.EvaluateMany"/>), the first call (which
/// allocates the vectors' arrays) and a second.
/// </summary>
internal static class ManyVectorsRun
{
    public static int Run(string[] args)
    {
        int rows = SimulatedBinomial.Count(args[0]);
        int nodes = int.Parse(args[2], CultureInfo.InvariantCulture), k = int.Parse(args[3], CultureInfo.InvariantCulture);
        var device = args.Length > 4 ? DeviceRun.Parse(args[4]) : DeviceChoice.Cpu;
        var data = SimulatedBinomial.Data(args[0], args[1], nodes);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = device });
        int count = data.Layout.Count;
        var psi = SimulatedBinomial.Start;
        var psis = Enumerable.Range(0, k).SelectMany(v => psi.Select((x, i) => i == v % count ? x + 1e-5 : x)).ToArray();
        var gradient = new double[count];
        engine.Evaluate(psi, gradient);
        var clock = Stopwatch.StartNew();
        for (int v = 0; v < k; v++) engine.Evaluate(psis.AsSpan(v * count, count), gradient);
        double singles = clock.Elapsed.TotalSeconds;
        engine.Evaluate(psi, gradient);
        var lls = new double[k];
        var grads = new double[k * count];
        clock.Restart();
        engine.EvaluateMany(psis, lls, grads);
        double first = clock.Elapsed.TotalSeconds;
        clock.Restart();
        engine.EvaluateMany(psis, lls, grads);
        double second = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows} rows, {nodes} nodes, {k} vectors on {engine.Device}: {singles:F3} s as single evaluations, {first:F3} s in one pass (first call), {second:F3} s (second call)"));
        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>walk ROWS GROUPS STREAMS ROUNDS [STEP] [THREADS]</c>: the engine's evaluations along leapfrog-like paths, as a sampler's
/// chains ask for them: STREAMS paths (each its own stream of modes) moving by STEP times a slowly turning direction,
/// which is redrawn every 8 steps; the time per evaluation over the last half of the rounds and, with one stream,
/// Newton's iterations per cluster.
/// </summary>
internal static class WalkRun
{
    public static int Run(string[] args)
    {
        int rows = SimulatedBinomial.Count(args[0]), groups = SimulatedBinomial.Count(args[1]);
        int streams = int.Parse(args[2], CultureInfo.InvariantCulture), rounds = int.Parse(args[3], CultureInfo.InvariantCulture);
        double step = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0.005;
        int threads = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 0;
        var data = SimulatedBinomial.Data(args[0], args[1], 1);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads });
        int count = data.Layout.Count;
        var start = SimulatedBinomial.Start[..count];
        var random = new Random(1);
        var positions = Enumerable.Range(0, streams).SelectMany(_ => start).ToArray();
        var directions = new double[streams * count];
        var ids = Enumerable.Range(0, streams).ToArray();
        var lls = new double[streams];
        var grads = new double[streams * count];
        var gradient = new double[count];
        engine.Evaluate(start, gradient);
        var clock = new Stopwatch();
        var cpu = TimeSpan.Zero;
        long newton = 0, clusters = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < directions.Length; i++)
            {
                if (round % 8 == 0) directions[i] = Normal(random);
                directions[i] = 0.95 * directions[i] + 0.3 * Normal(random);
                positions[i] += step * directions[i];
            }
            if (round == rounds / 2)
            {
                clock.Start();
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
            }
            if (streams == 1)
            {
                lls[0] = engine.Evaluate(positions, grads);
                if (round >= rounds / 2)
                    foreach (var c in engine.Clusters) { newton += c.NewtonIterations; clusters++; }
            }
            else engine.EvaluateStreams(positions, ids, lls, grads);
        }
        clock.Stop();
        int evaluations = (rounds - rounds / 2) * streams;
        double perEvaluation = clock.Elapsed.TotalMilliseconds / evaluations;
        double cpuPerEvaluation = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / evaluations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows} rows, {groups} groups, {streams} streams: {perEvaluation:F3} ms per evaluation ({cpuPerEvaluation:F3} ms of CPU); Newton iterations per cluster {(clusters > 0 ? (double)newton / clusters : double.NaN):F3}; last logLik {lls[0]:R}"));
        return 0;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

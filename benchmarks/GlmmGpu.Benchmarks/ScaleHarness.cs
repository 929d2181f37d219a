using System.Diagnostics;
using System.Globalization;
using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>scale [--max-rows N] [--out FILE.md]</c>: simulates logistic data (ten rows per group) at 1e4 .. N rows,
/// loads it through the CSV path and fits it by Laplace, AGQ (7 nodes) and PQL, timing each phase; writes a
/// markdown table with the peak working set.
/// </summary>
internal static class ScaleHarness
{
    public static int Run(string[] args)
    {
        long maxRows = 1_000_000;
        string? outPath = null;
        var nodes = new List<int> { 1, 7 };
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--max-rows") maxRows = (long)double.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--out") outPath = args[++i];
            else if (args[i] == "--nodes") nodes = args[++i].Split(',').Select(int.Parse).ToList();
        }
        var table = new StringBuilder();
        table.AppendLine("| rows | groups | method | load s | fit s | iterations | evaluations | peak MB | loglik |");
        table.AppendLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (long rows = 10_000; rows <= maxRows; rows *= 10)
        {
            int groups = (int)(rows / 10);
            var path = BenchmarkData.File((int)rows, groups, FamilyKind.Binomial, slopes: false);
            var clock = Stopwatch.StartNew();
            var data = CsvLoader.Load(path);
            double load = clock.Elapsed.TotalSeconds;
            var spec = new ModelSpec("y ~ x1 + x2 + x3 + x4 + (1 | g)", FamilyKind.Binomial);
            var methods = nodes.Select(k => k == 1
                    ? ("laplace", new FitOptions { Method = FitMethod.Laplace, Device = DeviceChoice.Cpu })
                    : ($"agq{k}", new FitOptions { Method = FitMethod.Agq, NAgq = k, Device = DeviceChoice.Cpu }))
                .Append(("pql", new FitOptions { Method = FitMethod.Pql, Device = DeviceChoice.Cpu }));
            foreach (var (name, options) in methods)
            {
                clock.Restart();
                var fit = Glmm.Fit(data, spec, options);
                double seconds = clock.Elapsed.TotalSeconds;
                double peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
                var line = $"| {rows} | {groups} | {name} | {load:F3} | {seconds:F3} | {fit.Iterations} | {fit.FunctionEvaluations} | {peak:F0} | {(fit.LogLik is { } l ? l.ToString("F3", CultureInfo.InvariantCulture) : "-")} |";
                Console.WriteLine(line);
                table.AppendLine(line);
            }
        }
        if (outPath is not null) File.WriteAllText(outPath, table.ToString());
        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>scale [--max-rows N] [--out FILE.md] [--plot FILE.png] [--device cpu|ilgpu-cpu|cuda]</c>: simulates logistic
/// data with <c>glmm simulate</c>'s generator and times fits (CSV loading and the model frame timed apart) in
/// three sweeps: rows at ten rows per group (Laplace, AGQ 7, PQL), groups at 1e6 rows (Laplace), and nodes at
/// 1e5 rows (AGQ K). Writes markdown tables with the peak working set, and a log-log plot of time against rows.
/// </summary>
internal static class ScaleHarness
{
    private sealed record Row(string Sweep, long Rows, int Groups, string Method, double Load, double Frame, double Fit, int Iterations, int Evaluations, double PeakMb, double? LogLik);

    public static int Run(string[] args)
    {
        long maxRows = 1_000_000;
        string? outPath = null, plotPath = null;
        var device = DeviceChoice.Cpu;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--max-rows": maxRows = (long)double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": outPath = args[++i]; break;
                case "--plot": plotPath = args[++i]; break;
                case "--device": device = args[++i] switch { "ilgpu-cpu" => DeviceChoice.IlgpuCpu, "cuda" => DeviceChoice.Cuda, _ => DeviceChoice.Cpu }; break;
            }
        }
        // One small fit of each kind first, so that no row of the tables pays for JIT compilation.
        foreach (var (_, options) in Methods(device, 1, 7)) Time("warm-up", 10_000, 1_000, "warm-up", options);
        var results = new List<Row>();
        for (long rows = 10_000; rows <= maxRows; rows *= 10)
            foreach (var (name, options) in Methods(device, 1, 7))
                results.Add(Time("rows", rows, (int)(rows / 10), name, options));
        long groupRows = Math.Min(maxRows, 1_000_000);
        foreach (int perGroup in new[] { 100, 20, 5, 2 })
            results.Add(Time("groups", groupRows, (int)(groupRows / perGroup), "laplace", Options(FitMethod.Laplace, 1, device)));
        long nodeRows = Math.Min(maxRows, 100_000);
        foreach (int k in new[] { 1, 3, 7, 15, 25 })
            results.Add(Time("nodes", nodeRows, (int)(nodeRows / 10), k == 1 ? "laplace" : $"agq{k}", Options(k == 1 ? FitMethod.Laplace : FitMethod.Agq, k, device)));

        var text = Table(results);
        Console.Write(text);
        if (outPath is not null) File.WriteAllText(outPath, text);
        if (plotPath is not null) Plot(results.Where(r => r.Sweep == "rows").ToList(), plotPath, device);
        return 0;
    }

    private static IEnumerable<(string, FitOptions)> Methods(DeviceChoice device, params int[] nodes)
    {
        foreach (int k in nodes)
            yield return (k == 1 ? "laplace" : $"agq{k}", Options(k == 1 ? FitMethod.Laplace : FitMethod.Agq, k, device));
        yield return ("pql", Options(FitMethod.Pql, 0, DeviceChoice.Cpu));
    }

    private static FitOptions Options(FitMethod method, int nodes, DeviceChoice device) => new() { Method = method, NAgq = nodes, Execution = new ExecutionOptions { Device = device } };

    private static Row Time(string sweep, long rows, int groups, string method, FitOptions options)
    {
        var path = BenchmarkData.File((int)rows, groups, FamilyKind.Binomial, slopes: false);
        var clock = Stopwatch.StartNew();
        var data = CsvLoader.Load(path);
        double load = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var frame = Glmm.Frame(data, new ModelSpec("y ~ x1 + x2 + x3 + x4 + (1 | g)", FamilyKind.Binomial));
        double frameSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var fit = Glmm.Fit(frame, options);
        double seconds = clock.Elapsed.TotalSeconds;
        double peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        var row = new Row(sweep, rows, groups, method, load, frameSeconds, seconds, fit.Iterations, fit.FunctionEvaluations, peak, fit.LogLik);
        Console.Error.WriteLine($"{sweep}: {rows} rows, {groups} groups, {method}: load {load:F3} s, frame {frameSeconds:F3} s, fit {seconds:F3} s");
        return row;
    }

    private static string Table(List<Row> results)
    {
        var sb = new StringBuilder();
        foreach (var sweep in results.GroupBy(r => r.Sweep))
        {
            sb.AppendLine($"Sweep over {sweep.Key}:").AppendLine();
            sb.AppendLine("| rows | groups | method | load s | frame s | fit s | total s | iterations | evaluations | peak MB (process) | loglik |");
            sb.AppendLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in sweep)
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Rows} | {r.Groups} | {r.Method} | {r.Load:F3} | {r.Frame:F3} | {r.Fit:F3} | {r.Load + r.Frame + r.Fit:F3} | {r.Iterations} | {r.Evaluations} | {r.PeakMb:F0} | {(r.LogLik is { } l ? l.ToString("F3", CultureInfo.InvariantCulture) : "-")} |"));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Fit time against rows on log-log axes, one line per method (ScottPlot).</summary>
    private static void Plot(List<Row> rows, string path, DeviceChoice device)
    {
        var plot = new ScottPlot.Plot();
        foreach (var method in rows.GroupBy(r => r.Method))
        {
            var xs = method.Select(r => Math.Log10(r.Rows)).ToArray();
            var ys = method.Select(r => Math.Log10(r.Fit)).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = method.Key;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, LabelFormatter = v => $"1e{v:F0}" };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture) };
        plot.Title($"GlmmGpu fit time (ten rows per group, device {device.ToString().ToLowerInvariant()})");
        plot.XLabel("rows (log scale)");
        plot.YLabel("fit seconds (log scale)");
        plot.ShowLegend();
        plot.SavePng(path, 800, 500);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Simulation;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// What a session lent a GPU runs (scripts/device/on-device.sh), testable here on ILGPU's CPU accelerator:
/// <c>device-check FIXTURES_DIR DEVICE [MATH]</c> fits every reference case on the CPU path and on DEVICE and prints
/// the largest relative differences (exit 1 beyond 1e-8); <c>device-scale ROWS GROUPS NODES DEVICE [MATH]</c>
/// simulates in memory and times the upload, single evaluations against the memory floor, and the whole fit.
/// MATH is where the kernels take exp and log from: portable (default), xmath or libdevice.
/// </summary>
internal static class DeviceRun
{
    public static DeviceChoice Parse(string device) => device switch
    {
        "cuda" => DeviceChoice.Cuda,
        "opencl" => DeviceChoice.OpenCl,
        "ilgpu-cpu" => DeviceChoice.IlgpuCpu,
        _ => DeviceChoice.Cpu,
    };

    public static DeviceMath ParseMath(string text) =>
        DeviceMathNames.TryParse(text, out var math) ? math : throw new ArgumentException($"unknown device math '{text}' (portable, xmath or libdevice)");

    public static int Check(string[] args)
    {
        string dir = args[0];
        var device = Parse(args[1]);
        var math = args.Length > 2 ? ParseMath(args[2]) : DeviceMath.Portable;
        var cases = new (string Json, FitMethod Method, int Nodes)[]
        {
            ("cbpp_laplace", FitMethod.Laplace, 1), ("cbpp_agq30_ml", FitMethod.Agq, 30), ("grouseticks_laplace", FitMethod.Laplace, 1),
            ("sim_binary_slope_agq12_ml", FitMethod.Agq, 12), ("sim_gamma_tmb", FitMethod.Laplace, 1), ("sim_negbin_tmb", FitMethod.Laplace, 1),
            ("sim_poisson_slope_laplace", FitMethod.Laplace, 1), ("verbagg_laplace", FitMethod.Laplace, 1), ("cbpp_pql", FitMethod.Pql, 0),
            ("sleepstudy_reml", FitMethod.Reml, 0),
        };
        double worst = 0;
        foreach (var (name, method, nodes) in cases)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, name + ".json")));
            var root = doc.RootElement;
            var data = CsvLoader.Load(Path.Combine(dir, root.GetProperty("data").GetString()!));
            var spec = new ModelSpec(root.GetProperty("formula").GetString()!, FamilyNames.ParseFamily(root.GetProperty("family").GetString()!),
                FamilyNames.ParseLink(root.GetProperty("link").GetString()!));
            var cpu = Glmm.Fit(data, spec, new FitOptions { Method = method, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
            var clock = Stopwatch.StartNew();
            var dev = Glmm.Fit(data, spec, new FitOptions { Method = method, NAgq = nodes, Execution = new ExecutionOptions { Device = device, DeviceMath = math } });
            double seconds = clock.Elapsed.TotalSeconds;
            double diff = 0;
            for (int i = 0; i < cpu.FixedEffects.Count; i++)
                diff = Math.Max(diff, Relative(cpu.FixedEffects[i].Estimate, dev.FixedEffects[i].Estimate));
            diff = Math.Max(diff, Relative(cpu.VarCorr[0].Sd[0], dev.VarCorr[0].Sd[0]));
            if (cpu.LogLik is { } l) diff = Math.Max(diff, Relative(l, dev.LogLik!.Value));
            worst = Math.Max(worst, diff);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({method}, {dev.Device}): max relative difference {diff:E2}, {seconds:F2} s"));
        }
        worst = Math.Max(worst, CheckManyVectors(dir, device, math));
        Console.WriteLine($"largest relative difference against the CPU path ({args[1]}, {DeviceMathNames.Name(math)} math): {worst:E2}");
        return worst <= 1e-8 ? 0 : 1;
    }

    /// <summary>Eight vectors in one pass on the device against the CPU path's, on grouseticks (Poisson, AGQ 10):
    /// the largest relative difference in a log-likelihood or gradient entry.</summary>
    private static double CheckManyVectors(string dir, DeviceChoice device, DeviceMath math)
    {
        var frame = Glmm.Frame(CsvLoader.Load(Path.Combine(dir, "grouseticks.csv")), new ModelSpec("TICKS ~ YEAR + cHEIGHT + (1 | BROOD)", FamilyKind.Poisson));
        var data = MarginalLikelihoodData.Create(frame, 10);
        int count = data.Layout.Count, k = 8;
        var psis = new double[k * count];
        for (int v = 0; v < k; v++)
            for (int i = 0; i < count; i++) psis[v * count + i] = i == count - 1 ? 0.6 + 0.05 * v : 0.1 * (i % 3) - 0.05 * v;
        var results = new List<(double[], double[])>();
        foreach (var choice in new[] { DeviceChoice.Cpu, device })
        {
            using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = choice, DeviceMath = math });
            engine.Evaluate(psis.AsSpan(0, count), new double[count]);
            var lls = new double[k];
            var grads = new double[k * count];
            engine.EvaluateMany(psis, lls, grads);
            results.Add((lls, grads));
        }
        double diff = 0;
        for (int i = 0; i < k; i++) diff = Math.Max(diff, Relative(results[0].Item1[i], results[1].Item1[i]));
        for (int i = 0; i < k * count; i++) diff = Math.Max(diff, Math.Abs(results[0].Item2[i] - results[1].Item2[i]) / Math.Max(1.0, Math.Abs(results[0].Item2[i])));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"grouseticks, {k} vectors in one pass (AGQ 10): max relative difference {diff:E2}"));
        return diff;
    }

    public static int Scale(string[] args)
    {
        int rows = (int)double.Parse(args[0], CultureInfo.InvariantCulture), groups = (int)double.Parse(args[1], CultureInfo.InvariantCulture);
        int nodes = int.Parse(args[2], CultureInfo.InvariantCulture);
        var device = Parse(args[3]);
        // Several math modes share one simulated data set and model frame, which at 1e8 rows cost more than the fits.
        var maths = (args.Length > 4 ? args[4] : "portable").Split(',').Select(ParseMath).ToArray();
        var clock = Stopwatch.StartNew();
        var (table, truth) = Simulator.Generate(new SimulationSpec(rows, groups, FamilyKind.Binomial));
        Console.WriteLine($"simulate in memory: {clock.Elapsed.TotalSeconds:F2} s");
        clock.Restart();
        var frame = Glmm.Frame(table, new ModelSpec(truth.Formula, FamilyKind.Binomial));
        Console.WriteLine($"model frame: {clock.Elapsed.TotalSeconds:F2} s");
        foreach (var math in maths) ScaleOne(frame, nodes, device, math);
        return 0;
    }

    /// <summary><c>device-profile ROWS GROUPS NODES DEVICE</c>: simulates, builds the engine and makes four evaluations,
    /// nothing else: the run a profiler (ncu) watches.</summary>
    public static int Profile(string[] args)
    {
        int nodes = int.Parse(args[2], CultureInfo.InvariantCulture);
        var data = SimulatedBinomial.Data(args[0], args[1], nodes);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = Parse(args[3]) });
        var psi = SimulatedBinomial.Start.ToArray();
        var gradient = new double[psi.Length];
        for (int i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            engine.Evaluate(psi, gradient);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluation {i + 1}: {clock.Elapsed.TotalMilliseconds:F2} ms"));
            psi[5] += 1e-3;
        }
        return 0;
    }

    private static void ScaleOne(Model.ModelFrame frame, int nodes, DeviceChoice device, DeviceMath math)
    {
        int rows = frame.RowCount;
        var options = new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Execution = new ExecutionOptions { Device = device, DeviceMath = math } };
        var clock = Stopwatch.StartNew();
        var data = MarginalLikelihoodData.Create(frame, nodes);
        string mathName = DeviceMathNames.Name(math);
        using (var engine = EngineFactory.Create(data, options.Execution))
        {
            double start = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"engine on {engine.Device} with {mathName} math (kernels loaded, data uploaded): {start:F2} s");
            if (engine.GetType().GetProperty("KernelNotes")?.GetValue(engine) is IEnumerable<string> notes)
                Console.WriteLine($"  kernels: {string.Join("; ", notes)}");
            if (engine.GetType().GetProperty("SlotsPerRow")?.GetValue(engine) is double slotsPerRow)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  device layout: {slotsPerRow:F4} slots per row"));
            var psi = new[] { -0.5, 0.5, -0.3, 0.2, 0.4, 0.8 };
            var gradient = new double[psi.Length];
            clock.Restart();
            engine.Evaluate(psi, gradient);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  first evaluation: {clock.Elapsed.TotalMilliseconds:F1} ms"));
            var times = new List<double>();
            for (int i = 0; i < 5; i++)
            {
                psi[5] += 1e-3;
                clock.Restart();
                engine.Evaluate(psi, gradient);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            // What one evaluation must read once: X (p columns), Z, offset, y and w.
            double bytes = 8.0 * rows * (frame.P + data.Q + 3);
            double best = times.Min();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"evaluation ({mathName} math): {best:F2} ms best of 5, median {times.Order().ElementAt(2):F2} ms; the rows once are {bytes / 1e9:F2} GB, {bytes / 4.8e12 * 1e3:F2} ms at 4.8 TB/s: {bytes / (best * 1e-3) / 1e12:F2} TB/s achieved, {best / (bytes / 4.8e12 * 1e3):F1}x the floor"));
            foreach (int k in new[] { 4, 16, 32 })
            {
                var psis = Enumerable.Range(0, k).SelectMany(v => psi.Select((x, i) => i == 5 ? x + 1e-3 * v : x)).ToArray();
                var lls = new double[k];
                var grads = new double[k * psi.Length];
                engine.EvaluateMany(psis, lls, grads);
                var passTimes = new List<double>();
                for (int r = 0; r < 3; r++)
                {
                    clock.Restart();
                    engine.EvaluateMany(psis, lls, grads);
                    passTimes.Add(clock.Elapsed.TotalMilliseconds);
                }
                double pass = passTimes.Min();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {k} vectors in one pass: {pass:F2} ms best of 3, {pass / k:F2} ms a vector ({best / (pass / k):F1}x one evaluation's rate)"));
            }
        }
        clock.Restart();
        var fit = Glmm.Fit(frame, options);
        double whole = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole fit on {fit.Device} ({mathName} math): {whole:F2} s ({fit.Iterations} iterations, {fit.FunctionEvaluations} evaluations, its own engine start and upload included), loglik {fit.LogLik:F6}"));
    }

    private static double Relative(double a, double b) => Math.Abs(a - b) / Math.Max(1e-300, Math.Max(Math.Abs(a), Math.Abs(b)));
}

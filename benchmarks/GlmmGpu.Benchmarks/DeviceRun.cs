using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Scheduling;
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
            var cpu = Glmm.Fit(data, spec, new FitOptions { Method = method, NAgq = nodes, Device = DeviceChoice.Cpu });
            var clock = Stopwatch.StartNew();
            var dev = Glmm.Fit(data, spec, new FitOptions { Method = method, NAgq = nodes, Device = device, DeviceMath = math });
            double seconds = clock.Elapsed.TotalSeconds;
            double diff = 0;
            for (int i = 0; i < cpu.FixedEffects.Count; i++)
                diff = Math.Max(diff, Relative(cpu.FixedEffects[i].Estimate, dev.FixedEffects[i].Estimate));
            diff = Math.Max(diff, Relative(cpu.VarCorr[0].Sd[0], dev.VarCorr[0].Sd[0]));
            if (cpu.LogLik is { } l) diff = Math.Max(diff, Relative(l, dev.LogLik!.Value));
            worst = Math.Max(worst, diff);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({method}, {dev.Device}): max relative difference {diff:E2}, {seconds:F2} s"));
        }
        Console.WriteLine($"largest relative difference against the CPU path ({args[1]}, {DeviceMathNames.Name(math)} math): {worst:E2}");
        return worst <= 1e-8 ? 0 : 1;
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

    private static void ScaleOne(Model.ModelFrame frame, int nodes, DeviceChoice device, DeviceMath math)
    {
        int rows = frame.RowCount;
        var options = new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Device = device, DeviceMath = math };
        var clock = Stopwatch.StartNew();
        var data = MarginalLikelihoodData.Create(frame, nodes);
        double upload;
        using (var engine = EngineFactory.Create(data, options))
        {
            upload = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"engine on {engine.Device} with {DeviceMathNames.Name(math)} math (kernels compiled, data uploaded): {upload:F2} s");
            var psi = new[] { -0.5, 0.5, -0.3, 0.2, 0.4, 0.8 };
            var gradient = new double[psi.Length];
            engine.Evaluate(psi, gradient);
            var times = new List<double>();
            for (int i = 0; i < 5; i++)
            {
                psi[5] += 1e-3;
                clock.Restart();
                engine.Evaluate(psi, gradient);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            // Bytes an evaluation must read at least once: X (p columns), offset, y, w, Z, and eta and alpha.
            double bytes = 8.0 * rows * (frame.P + 6);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"evaluation ({DeviceMathNames.Name(math)} math): {times.Min():F1} ms best of 5 ({bytes / 1e9:F2} GB read at least; at 3 TB/s that is {bytes / 3e12 * 1e3:F2} ms)"));
        }
        clock.Restart();
        var fit = Glmm.Fit(frame, options);
        double whole = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole fit on {fit.Device} ({DeviceMathNames.Name(math)} math): {whole:F2} s ({fit.Iterations} iterations, {fit.FunctionEvaluations} evaluations, upload included), loglik {fit.LogLik:F6}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole fit less the engine start above (kernel compilation and upload, which the fit repeats): {whole - upload:F2} s"));
    }

    private static double Relative(double a, double b) => Math.Abs(a - b) / Math.Max(1e-300, Math.Max(Math.Abs(a), Math.Abs(b)));
}

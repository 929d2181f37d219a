using System.Diagnostics;
using System.Numerics.Tensors;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>profile FILE.csv NODES [THREADS [FORMULA]]</c>: load and frame times, the cost of one likelihood-and-gradient
/// evaluation of <c>y ~ x1 + x2 + x3 + x4 + (1 | g)</c> (binomial; or FORMULA's), and its two floors on this machine: the bytes
/// an evaluation must read over the measured memory bandwidth, and its row arithmetic over the measured rate.
/// </summary>
internal static class ProfileRun
{
    /// <summary>Timed repeats of each measurement (GLMMGPU_PROFILE_REPEATS, default 6): this shared machine's timings move
    /// by tens of percent between minutes, and the best of more repeats is the steadier comparison.</summary>
    private static readonly int Repeats = int.TryParse(Environment.GetEnvironmentVariable("GLMMGPU_PROFILE_REPEATS"), out int r) && r > 0 ? r : 6;

    public static int Run(string[] args)
    {
        int nodes = int.Parse(args[1]), threads = args.Length > 2 ? int.Parse(args[2]) : 0;
        int cores = threads > 0 ? threads : Environment.ProcessorCount;
        var sw = Stopwatch.StartNew();
        var table = CsvLoader.Load(args[0]);
        Console.WriteLine($"load: {sw.Elapsed.TotalSeconds:F3} s ({new FileInfo(args[0]).Length / 1e6 / sw.Elapsed.TotalSeconds:F0} MB/s)");
        sw.Restart();
        string formula = args.Length > 3 ? args[3] : "y ~ x1 + x2 + x3 + x4 + (1 | g)";
        var frame = Glmm.Frame(table, new ModelSpec(formula, FamilyKind.Binomial));
        Console.WriteLine($"model frame: {sw.Elapsed.TotalSeconds:F3} s");
        var options = new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads } };
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var engine = EngineFactory.Create(data, options.Execution);
        var layout = data.Layout;
        var psi = new double[layout.Count];
        new[] { -0.5, 0.5, -0.3, 0.2, 0.4 }.AsSpan(0, Math.Min(5, layout.P)).CopyTo(psi);
        for (int k = 0; k < layout.ThetaCount; k++)
            psi[layout.ThetaOffset + k] = layout.IsThetaDiagonal(k) ? 0.8 / (1 + layout.ThetaPosition(k).Item1) : 0.1;
        var gradient = new double[psi.Length];
        var times = new List<double>();
        double newton = 0;
        for (int i = 0; i < 2 + Repeats; i++)
        {
            sw.Restart();
            engine.Evaluate(psi, gradient);
            times.Add(sw.Elapsed.TotalMilliseconds);
            newton = engine.Clusters.Average(c => c.NewtonIterations);
            psi[layout.ThetaOffset] += 1e-3;
        }
        double evalMs = times.Skip(2).Min();
        Console.WriteLine($"evaluation ({cores} threads, {nodes} node{(nodes > 1 ? "s" : "")}): {evalMs:F1} ms best of {Repeats} after warm-up; {newton:F2} Newton steps per cluster");
        var ruleHessian = new double[psi.Length, psi.Length];
        engine.Evaluate(psi, gradient);
        if (engine.TryRuleHessian(psi, ruleHessian))
        {
            double best = double.MaxValue;
            for (int i = 0; i < Repeats; i++)
            {
                sw.Restart();
                engine.TryRuleHessian(psi, ruleHessian);
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"Hessian from the quadrature rule: {best:F1} ms best of {Repeats}, {best / evalMs:F1} evaluations' time " +
                $"(differencing takes {psi.Length})");
        }

        int n = frame.RowCount, p = frame.P;
        // The floors below count a random intercept's passes (and its e^(fixed eta)); other models stop here.
        if (layout.Q > 1) return 0;
        Console.WriteLine($"one cluster pass (the rule's row terms), one core: {ClusterPassNanoseconds(frame, psi):F1} ns per row");
        double bandwidth = MemoryBandwidth(cores);
        var (expNs, rowNs) = RowNanoseconds(frame.Response);
        // Each evaluation must stream X twice (X beta, X' alpha), read y, w, z and offset, and write eta and alpha.
        double bytes = 8.0 * n * (2 * p + 6);
        double memoryFloorMs = bytes / bandwidth * 1e3;
        // The CPU path takes e^(fixed eta) once per row, then every Newton pass (steps + 1) and every quadrature node
        // but the mode (which an odd rule shares with the last Newton pass) does the row's work given e^eta.
        double passes = newton + 1 + (nodes > 1 ? nodes - nodes % 2 : 0);
        double computeFloorMs = (expNs + passes * rowNs) * n / cores * 1e-6;
        Console.WriteLine($"memory bandwidth ({cores} threads): {bandwidth / 1e9:F1} GB/s; floor {bytes / 1e6:F0} MB / bandwidth = {memoryFloorMs:F1} ms");
        Console.WriteLine($"row work: e^(fixed eta) {expNs:F1} ns, then given e^eta (value, log deferred) {rowNs:F1} ns per row per pass per core; " +
            $"floor {n} rows x (1 exp + {passes:F1} passes) = {computeFloorMs:F1} ms");
        Console.WriteLine($"evaluation / larger floor: {evalMs / Math.Max(memoryFloorMs, computeFloorMs):F1}x");
        return 0;
    }

    /// <summary>Bytes per second of a = b + c over 64 MB arrays (STREAM's add), in parallel blocks.</summary>
    private static double MemoryBandwidth(int cores)
    {
        const int length = 8 << 20;
        var a = new double[length];
        var b = new double[length];
        var c = new double[length];
        Array.Fill(b, 1.0);
        Array.Fill(c, 2.0);
        double best = double.MaxValue;
        int chunk = length / cores;
        for (int rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, k =>
                TensorPrimitives.Add(b.AsSpan(k * chunk, chunk), c.AsSpan(k * chunk, chunk), a.AsSpan(k * chunk, chunk)));
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 3.0 * 8 * length / best;
    }

    /// <summary>The bare costs, on one core, of e^eta and of the logistic row's work given e^eta (the value, with its
    /// log left to one per 256 rows, and three derivatives): what the CPU path does per row and pass.</summary>
    private static (double ExpNs, double RowNs) RowNanoseconds(double[] y)
    {
        var eta = new double[y.Length];
        var expEta = new double[y.Length];
        // Signs in random order, as in data: in ascending order a branch on eta's sign would be predicted, and the
        // floor would leave out what such a branch costs.
        var rng = new Random(7);
        for (int i = 0; i < eta.Length; i++) eta[i] = 2 * rng.NextDouble() - 1;
        double sink = 0, bestExp = double.MaxValue, bestRow = double.MaxValue;
        for (int rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < eta.Length; i++) expEta[i] = PortableMath.Exp(eta[i]);
            bestExp = Math.Min(bestExp, sw.Elapsed.TotalSeconds);
            sw.Restart();
            double product = 1;
            for (int i = 0; i < eta.Length; i++)
            {
                default(BinomialLogit).FromExpEta(y[i], 1, eta[i], expEta[i], 1, true, out var d, out double logArgument);
                sink += d.L + d.L1 + d.L2 + d.L3;
                product *= logArgument;
                if ((i & 255) == 255)
                {
                    sink += PortableMath.Log(product);
                    product = 1;
                }
            }
            bestRow = Math.Min(bestRow, sw.Elapsed.TotalSeconds);
        }
        return double.IsNaN(sink) ? (double.NaN, double.NaN) : (bestExp / eta.Length * 1e9, bestRow / eta.Length * 1e9);
    }

    /// <summary>One core's cost per row of the integrand's fullest pass over a cluster (value, three derivatives and the
    /// mode's sums; the pass the quadrature rule's curvature makes at each node), over every cluster of the frame, at
    /// the evaluations' parameters <paramref name="psi"/>.</summary>
    private static double ClusterPassNanoseconds(GlmmGpu.Model.ModelFrame frame, double[] psi)
    {
        var data = MarginalLikelihoodData.Create(frame, 1);
        int n = data.N;
        var eta = new double[n];
        var expEta = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < data.P; k++) eta[i] += frame.X[k * n + i] * psi[k];
            expEta[i] = PortableMath.Exp(eta[i]);
        }
        var rows = new CpuRows(eta, expEta, frame.Response, frame.Weights, data.Block.Z, 1, new double[n], new double[3 * n], data.Grid.Z, data.Grid.LogWeight);
        var parameters = data.Layout.Integrand(psi, false);
        var offsets = data.ClusterOffsets;
        double best = double.MaxValue, sink = 0;
        for (int rep = 0; rep < 15; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (int c = 0; c + 1 < offsets.Length; c++)
                sink += ClusterIntegrator.RowTerms<BinomialLogit, CpuRows, OneEffect>(ref rows, offsets[c], offsets[c + 1], parameters, new Vec3 { X0 = 0.3 });
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return double.IsNaN(sink) ? double.NaN : best / n * 1e9;
    }
}

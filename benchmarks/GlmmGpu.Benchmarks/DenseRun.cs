using System.Diagnostics;
using System.Globalization;
using GlmmGpu.LinearAlgebra.Blocked;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>dense N [THREADS] [REPEATS]</c>: the blocked Cholesky's dense block at size N (a random positive definite
/// matrix): the factorisation, L^-1 and (L L')^-1 = L^-T L^-1, each the best of REPEATS runs, with their rates
/// (n^3/3 floating-point operations each) and the tile kernel's path.
/// </summary>
internal static class DenseRun
{
    public static int Run(string[] args)
    {
        int n = int.Parse(args[0], CultureInfo.InvariantCulture);
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var a = Positive(n);
        var l = (double[])a.Clone();
        var w = new double[(long)n * n];
        var inverse = new double[(long)n * n];
        double cholesky = Best(repeats, () =>
        {
            Array.Copy(a, l, a.Length);
            var clock = Stopwatch.StartNew();
            if (!DenseLower.Cholesky(l, n, parallel)) throw new InvalidOperationException("not positive definite");
            return clock.Elapsed.TotalSeconds;
        });
        double inverseLower = Best(repeats, () =>
        {
            var clock = Stopwatch.StartNew();
            DenseInverse.InverseLower(l, n, w, parallel);
            return clock.Elapsed.TotalSeconds;
        });
        double gram = Best(repeats, () =>
        {
            var clock = Stopwatch.StartNew();
            DenseInverse.TransposeTimesSelf(w, n, inverse, parallel);
            return clock.Elapsed.TotalSeconds;
        });
        double flops = (double)n * n * n / 3;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dense {n} on {threads} thread(s), {DenseTileKernel.BestPath} tiles: Cholesky {cholesky * 1e3:F2} ms ({flops / cholesky / 1e9:F1} GFLOP/s), " +
            $"L^-1 {inverseLower * 1e3:F2} ms ({flops / inverseLower / 1e9:F1} GFLOP/s), L^-T L^-1 {gram * 1e3:F2} ms ({flops / gram / 1e9:F1} GFLOP/s), " +
            $"total {(cholesky + inverseLower + gram) * 1e3:F2} ms"));
        return 0;
    }

    private static double Best(int repeats, Func<double> run)
    {
        run();
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeats; r++) best = Math.Min(best, run());
        return best;
    }

    /// <summary>M M' / (n + 8) + I, M uniform in (-1, 1), both triangles.</summary>
    private static double[] Positive(int n)
    {
        var random = new Random(n);
        int width = n + 8;
        var m = new double[(long)n * width];
        for (long i = 0; i < m.Length; i++) m[i] = 2 * random.NextDouble() - 1;
        var a = new double[(long)n * n];
        Parallel.For(0, n, i =>
        {
            for (int j = 0; j <= i; j++)
            {
                double s = i == j ? 1.0 : 0;
                for (int k = 0; k < width; k++) s += m[(long)i * width + k] * m[(long)j * width + k] / width;
                a[(long)i * n + j] = a[(long)j * n + i] = s;
            }
        });
        return a;
    }
}

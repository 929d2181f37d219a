using System.Diagnostics;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Scheduling;
namespace GlmmGpu.Benchmarks;
internal static class ProfileRun {
  public static int Run(string[] args) {
    var sw = Stopwatch.StartNew();
    var t = CsvLoader.Load(args[0]);
    Console.WriteLine($"load {sw.Elapsed.TotalSeconds:F3}"); sw.Restart();
    var frame = Glmm.Frame(t, new ModelSpec("y ~ x1 + x2 + x3 + x4 + (1 | g)", FamilyKind.Binomial));
    Console.WriteLine($"frame {sw.Elapsed.TotalSeconds:F3}"); sw.Restart();
    var data = MarginalLikelihoodData.Create(frame, int.Parse(args[1]));
    Console.WriteLine($"data {sw.Elapsed.TotalSeconds:F3}"); sw.Restart();
    sw.Restart(); GlmmGpu.Fitting.Glm.GlmStart.Fit<BinomialLogit>(frame); Console.WriteLine($"glm {sw.Elapsed.TotalSeconds:F3}");
    sw.Restart(); GlmmGpu.Fitting.Glm.GlmStart.Fit<BinomialLogit>(frame); Console.WriteLine($"glm {sw.Elapsed.TotalSeconds:F3}");
    var eng = EngineFactory.Create(data, new FitOptions{Device=DeviceChoice.Cpu});
    var psi = new[]{-0.5,0.5,-0.3,0.2,0.4,0.8}; var g = new double[6];
    for (int i=0;i<5;i++){ sw.Restart(); eng.Evaluate(psi, g); Console.WriteLine($"eval {sw.Elapsed.TotalSeconds:F4} newton {eng.Clusters.Average(c => c.NewtonIterations):F2}"); psi[5] += 1e-3; }
    sw.Restart(); eng.Evaluate(psi, Span<double>.Empty); Console.WriteLine($"eval nograd {sw.Elapsed.TotalSeconds:F4}");
    sw.Restart(); var fit = Glmm.Fit(frame, new FitOptions{Method = args[1]=="1"?FitMethod.Laplace:FitMethod.Agq, NAgq=int.Parse(args[1]), Device=DeviceChoice.Cpu});
    Console.WriteLine($"fit {sw.Elapsed.TotalSeconds:F3} iters {fit.Iterations} evals {fit.FunctionEvaluations}");
    return 0;
  }
}

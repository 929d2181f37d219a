using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// <c>codegen [FAMILY LINK [PTX_DIR]]</c>: ILGPU's own code generation for the CUDA back end, without a GPU: the time to compile
/// each kernel a fit with a random intercept loads to PTX for sm_90 (IR built from .NET code, optimised, written as PTX), in one context as
/// an engine does, and the size of the PTX. The driver's compilation of that PTX to machine code comes on top, on
/// a GPU. With PTX_DIR, each kernel's PTX is written there.
/// </summary>
internal static class CodegenRun
{
    public static int Run(string[] args)
    {
        var family = args.Length > 0 ? FamilyNames.ParseFamily(args[0]) : FamilyKind.Binomial;
        var link = args.Length > 1 ? FamilyNames.ParseLink(args[1]) : FamilyNames.DefaultLink(family);
        var clock = Stopwatch.StartNew();
        using var context = Context.Create(b =>
        {
            b.EnableAlgorithms().Optimize(OptimizationLevel.O1);
            DeviceMathRouting.Configure(b, DeviceMath.Portable, cuda: false);
        });
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"context and PTX back end: {clock.Elapsed.TotalSeconds:F2} s"));
        var kernels = RowLikelihoodDispatch.Dispatch(family, link, new ClusterKernelsOf())
            .Append(typeof(ReductionKernels).GetMethod(nameof(ReductionKernels.SumBlocks))!);
        double total = 0;
        foreach (var kernel in kernels)
        {
            clock.Restart();
            var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default(KernelSpecialization));
            double seconds = clock.Elapsed.TotalSeconds;
            total += seconds;
            if (args.Length > 2) File.WriteAllText(Path.Combine(args[2], kernel.Name + ".ptx"), compiled.PTXAssembly);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kernel.Name}<{string.Join(",", kernel.GetGenericArguments().Select(t => t.Name))}>: {seconds:F2} s, {compiled.PTXAssembly.Length / 1024} KiB of PTX"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all kernels: {total:F2} s"));
        return 0;
    }

    private sealed class ClusterKernelsOf : IRowLikelihoodVisitor<MethodInfo[]>
    {
        public MethodInfo[] Visit<TModel>() where TModel : struct, IRowLikelihood =>
            new[] { nameof(ClusterKernels.IntegrateByThread), nameof(ClusterKernels.IntegrateByWarp), nameof(ClusterKernels.IntegrateByGroup) }
                .Select(name => typeof(ClusterKernels).GetMethod(name)!.MakeGenericMethod(typeof(TModel), typeof(OneEffect))).ToArray();
    }
}

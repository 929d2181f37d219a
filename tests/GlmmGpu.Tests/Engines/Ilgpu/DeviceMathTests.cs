using System.Reflection;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>
/// Where the kernels' exp and log come from on a GPU (<see cref="DeviceMath"/>), checked without one: what each
/// mode compiles into PTX, and how accurate ILGPU.Algorithms' software exp and log (what <c>xmath</c> runs on
/// CUDA) are against the CPU's. libdevice needs NVIDIA's toolkit at run time: `device-check ... cuda libdevice`
/// measures it on a lent GPU (scripts/device/on-device.sh).
/// </summary>
[Trait("Category", "Ptx")]
public class DeviceMathTests
{
    /// <summary>1.5 * 2^52, the constant <see cref="PortableMath.Exp"/> rounds with: in the PTX exactly when the
    /// kernel runs the project's own exp.</summary>
    private const string PortableExpConstant = "0d4338000000000000";

    private static void ExpAndLog(Index1D i, ArrayView<double> x, ArrayView<double> y) =>
        y[i] = PortableMath.Exp(x[i]) + PortableMath.Log(x[i]);

    private static string CompileToPtx(DeviceMath math, MethodInfo kernel, bool explicitlyGrouped = false)
    {
        using var context = Context.Create(b =>
        {
            b.EnableAlgorithms().Optimize(OptimizationLevel.O1);
            DeviceMathRouting.Configure(b, math, cuda: false);
        });
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null);
        var compiled = (PTXCompiledKernel)backend.Compile(
            explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel) : EntryPointDescription.FromImplicitlyGroupedKernel(kernel),
            default(KernelSpecialization));
        return compiled.PTXAssembly;
    }

    private static MethodInfo Kernel(string name) => typeof(DeviceMathTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    [Fact]
    public void PortableMathCompilesToPlainArithmeticWithoutCalls()
    {
        string ptx = CompileToPtx(DeviceMath.Portable, Kernel(nameof(ExpAndLog)));
        Assert.Contains(PortableExpConstant, ptx);
        Assert.DoesNotContain("call", ptx);
        Assert.Contains("mul.f64", ptx);
    }

    [Fact]
    public void XMathModeReplacesThePortableExpAndLogInTheKernels()
    {
        string ptx = CompileToPtx(DeviceMath.XMath, Kernel(nameof(ExpAndLog)));
        Assert.DoesNotContain(PortableExpConstant, ptx);
        Assert.Contains(".entry", ptx);
    }

    /// <summary>The cluster kernel compiles in the xmath mode too (the portable mode is PtxCompilationTests').</summary>
    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit)]
    [InlineData(FamilyKind.Gamma, LinkKind.Log)]
    public void ClusterKernelCompilesWithXMath(FamilyKind family, LinkKind link)
    {
        var kernel = RowLikelihoodDispatch.Dispatch(family, link, new ClusterKernelOf());
        string ptx = CompileToPtx(DeviceMath.XMath, kernel, explicitlyGrouped: true);
        Assert.Contains(".entry", ptx);
        Assert.DoesNotContain(PortableExpConstant, ptx);
    }

    private sealed class ClusterKernelOf : IRowLikelihoodVisitor<MethodInfo>
    {
        public MethodInfo Visit<TModel>() where TModel : struct, IRowLikelihood =>
            typeof(ClusterKernels).GetMethod(nameof(ClusterKernels.IntegrateByThread))!.MakeGenericMethod(typeof(TModel), typeof(OneEffect));
    }

    /// <summary>
    /// ILGPU.Algorithms' PTX implementations of exp and log (internal, so reached by reflection) are managed code
    /// that ILGPU compiles into kernels; run on the CPU they show the accuracy a CUDA kernel gets in xmath mode.
    /// Measured: exp within about 6e-15 relative, log within about 5e-16 absolute (and relative where |log| &gt; 1;
    /// near log(1) = 0 the relative error grows). Both are far inside what a log-likelihood summed over millions of
    /// rows needs, though tens of ulps against PortableMath's one.
    /// </summary>
    [Fact]
    public void XMathsSoftwareExpAndLogAreAccurateToAFewUlps()
    {
        var ptxMath = typeof(ILGPU.Algorithms.XMath).Assembly.GetType("ILGPU.Algorithms.PTX.PTXMath", throwOnError: true)!;
        var exp = ptxMath.GetMethod("Exp", new[] { typeof(double) })!.CreateDelegate<Func<double, double>>();
        var log = ptxMath.GetMethod("Log", new[] { typeof(double) })!.CreateDelegate<Func<double, double>>();
        var rng = new Random(5);
        double worstExp = 0, worstLog = 0;
        for (int i = 0; i < 20_000; i++)
        {
            double x = 40 * (2 * rng.NextDouble() - 1);
            worstExp = Math.Max(worstExp, Math.Abs(exp(x) / Math.Exp(x) - 1));
            double y = Math.Exp(40 * (2 * rng.NextDouble() - 1));
            worstLog = Math.Max(worstLog, Math.Abs(log(y) - Math.Log(y)) / Math.Max(1.0, Math.Abs(Math.Log(y))));
        }
        Assert.True(worstExp < 2e-14, $"exp: {worstExp:E2} relative");
        Assert.True(worstLog < 2e-15, $"log: {worstLog:E2} absolute (relative where |log| > 1)");
        // And it is not the CPU's: a test that could not tell them apart would prove nothing.
        Assert.NotEqual(Math.Exp(1.0), exp(1.0));
    }
}

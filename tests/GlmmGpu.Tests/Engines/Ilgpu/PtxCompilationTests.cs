using System.Reflection;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.EntryPoints;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>
/// Every kernel, for every family/link the dispatcher can pick, compiles to PTX for the GPUs the engine targets.
/// This needs no GPU: ILGPU's PTX backend runs on its own, as it does inside a CUDA accelerator. It is the
/// slowest part of the suite (about 1.5 s of ILGPU's optimiser per model), hence the trait to filter on.
/// </summary>
[Trait("Category", "Ptx")]
public class PtxCompilationTests(PtxContextFixture fixture) : IClassFixture<PtxContextFixture>
{
    public static IEnumerable<object[]> Models() =>
        from family in Enum.GetValues<FamilyKind>()
        from link in Enum.GetValues<LinkKind>()
        where FamilyNames.Allows(family, link)
        select new object[] { family, link };

    /// <summary>The thread-, warp- and group-per-cluster kernels (explicitly grouped: each adds its block's partial
    /// sums by shuffles and barriers through shared memory), for a random intercept.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void ClusterKernelsCompileForSm80AndSm90(FamilyKind family, LinkKind link)
    {
        foreach (var name in new[] { nameof(ClusterKernels.IntegrateByThread), nameof(ClusterKernels.IntegrateByWarp), nameof(ClusterKernels.IntegrateByGroup) })
        {
            var kernel = RowLikelihoodDispatch.Dispatch(family, link, new ClusterKernelOf(name));
            foreach (var (architecture, isa) in Targets)
            {
                string ptx = AssertCompiles(kernel, architecture, isa);
                Assert.Contains("shfl.sync.bfly", ptx);
                Assert.Contains("bar.sync", ptx);
            }
        }
    }

    /// <summary>The thread kernel for two and three random effects (one model: the family code is the same as above).</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ClusterKernelsForSeveralEffectsCompileForSm80AndSm90(int q)
    {
        var kernel = RowLikelihoodDispatch.Dispatch(FamilyKind.Gamma, LinkKind.Log, new ClusterKernelOf(nameof(ClusterKernels.IntegrateByThread), q));
        foreach (var (architecture, isa) in Targets)
            AssertCompiles(kernel, architecture, isa);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PqlWorkingUpdateCompilesForSm80AndSm90(FamilyKind family, LinkKind link)
    {
        var kernel = RowLikelihoodDispatch.Dispatch(family, link, new WorkingUpdateOf());
        foreach (var (architecture, isa) in Targets)
            AssertCompiles(kernel, architecture, isa);
    }

    /// <summary>The linear model's kernels do not depend on the family, so one instantiation each covers every model.</summary>
    [Fact]
    public void LinearAndPqlModelFreeKernelsCompileForSm80AndSm90()
    {
        var kernels = new[]
        {
            typeof(LinearKernels).GetMethod(nameof(LinearKernels.ClusterStatistics))!,
            typeof(LinearKernels).GetMethod(nameof(LinearKernels.GlobalStatistics))!,
            typeof(PqlKernels).GetMethod(nameof(PqlKernels.UpdateEta))!,
            typeof(PqlKernels).GetMethod(nameof(PqlKernels.EtaChange))!,
        };
        foreach (var kernel in kernels)
            foreach (var (architecture, isa) in Targets)
                AssertCompiles(kernel, architecture, isa);
    }

    [Fact]
    public void ModelFreeKernelsCompileForSm80AndSm90()
    {
        foreach (var (architecture, isa) in Targets)
        {
            AssertCompiles(typeof(LayoutKernels).GetMethod(nameof(LayoutKernels.GatherSlots))!, architecture, isa, explicitlyGrouped: false);
            string ptx = AssertCompiles(typeof(ReductionKernels).GetMethod(nameof(ReductionKernels.SumBlocks))!, architecture, isa);
            Assert.Contains("bar.sync", ptx);
        }
    }

    /// <summary>A100 and H100, each with the oldest PTX ISA that supports it.</summary>
    private static readonly (CudaArchitecture, CudaInstructionSet)[] Targets =
    {
        (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70),
        (CudaArchitecture.SM_90, CudaInstructionSet.ISA_78),
    };

    private string AssertCompiles(MethodInfo kernel, CudaArchitecture architecture, CudaInstructionSet isa, bool explicitlyGrouped = true)
    {
        using var backend = new PTXBackend(fixture.Context, new CudaCapabilityContext(architecture), architecture, isa, null);
        var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel) : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = Assert.IsType<PTXCompiledKernel>(backend.Compile(entry, default(KernelSpecialization)));
        string ptx = compiled.PTXAssembly;
        Assert.Contains(".entry", ptx);
        Assert.Contains($".version {isa}", ptx);
        // ILGPU 1.5.3 writes .target sm_80 for every newer architecture (the driver JIT-compiles it forward).
        Assert.Contains(".target sm_", ptx);
        // An unresolved external function compiles here but fails to link on the GPU: ILGPU 1.5 emits one for
        // .NET methods it cannot translate (Math.FusedMultiplyAdd, for one).
        Assert.DoesNotContain(".extern", ptx);
        return ptx;
    }

    private sealed class ClusterKernelOf(string name, int q = 1) : IRowLikelihoodVisitor<MethodInfo>
    {
        public MethodInfo Visit<TModel>() where TModel : struct, IRowLikelihood =>
            typeof(ClusterKernels).GetMethod(name)!.MakeGenericMethod(typeof(TModel), EffectCounts.Of(q));
    }

    private sealed class WorkingUpdateOf : IRowLikelihoodVisitor<MethodInfo>
    {
        public MethodInfo Visit<TModel>() where TModel : struct, IRowLikelihood =>
            typeof(PqlKernels).GetMethod(nameof(PqlKernels.WorkingUpdate))!.MakeGenericMethod(typeof(TModel));
    }
}

/// <summary>
/// One context for all PTX compilations: the IR it builds for a kernel is reused for the second architecture.
/// It has the engine's settings for CUDA: ILGPU.Algorithms for double-precision math, release optimisation.
/// </summary>
public sealed class PtxContextFixture : IDisposable
{
    public Context Context { get; } = Context.Create(b =>
    {
        b.EnableAlgorithms().Optimize(OptimizationLevel.O1);
        DeviceMathRouting.Configure(b, DeviceMath.Portable, cuda: false);
    });
    public void Dispose() => Context.Dispose();
}

using System.Text.RegularExpressions;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>What the CUDA engine does to ILGPU's PTX and keeps of it, checked without a GPU: the rounding modes, the
/// kernel cache, and the kernels rebuilt from rounded or cached PTX.</summary>
[Trait("Category", "Ptx")]
public class KernelLoaderTests(PtxContextFixture fixture) : IClassFixture<PtxContextFixture>
{
    [Fact]
    public void EveryUnroundedDoubleAddSubtractAndMultiplyGetsRoundToNearest()
    {
        const string ptx = "add.f64 %fd1, %fd2, %fd3;\n\tmul.f64 %fd4, %fd1, %fd1;\n\tsub.f64 %fd5, %fd4, %fd1;\n" +
            "\tfma.rn.f64 %fd6, %fd1, %fd2, %fd3;\n\tadd.rn.f64 %fd7, %fd1, %fd2;\n\tadd.s32 %r1, %r2, %r3;\n\tmul.wide.u32 %rd1, %r1, 8;\n\tdiv.rn.f64 %fd8, %fd1, %fd2;";
        Assert.Equal("add.rn.f64 %fd1, %fd2, %fd3;\n\tmul.rn.f64 %fd4, %fd1, %fd1;\n\tsub.rn.f64 %fd5, %fd4, %fd1;\n" +
            "\tfma.rn.f64 %fd6, %fd1, %fd2, %fd3;\n\tadd.rn.f64 %fd7, %fd1, %fd2;\n\tadd.s32 %r1, %r2, %r3;\n\tmul.wide.u32 %rd1, %r1, 8;\n\tdiv.rn.f64 %fd8, %fd1, %fd2;",
            PtxRounding.Apply(ptx));
    }

    /// <summary>The thread kernel as the engine loads it on CUDA: every double add, subtract and multiply rounded (ILGPU
    /// writes them unrounded, which the driver may fuse), the rest untouched, the entry point kept.</summary>
    [Fact]
    public void TheClusterKernelIsRebuiltWithRoundedArithmetic()
    {
        var compiled = Compile(typeof(ClusterKernels).GetMethod(nameof(ClusterKernels.IntegrateByThread))!.MakeGenericMethod(typeof(BinomialLogit), typeof(OneEffect)));
        Assert.Matches(@"\b(add|mul)\.f64\b", compiled.PTXAssembly);
        var (rounded, entry) = KernelLoader.Rounded(compiled);
        Assert.DoesNotMatch(@"\b(add|sub|mul)\.f64\b", rounded.PTXAssembly);
        Assert.Equal(Regex.Matches(compiled.PTXAssembly, @"\b(add|sub|mul)\.f64\b").Count, Regex.Matches(rounded.PTXAssembly, @"\b(add|sub|mul)\.rn\.f64\b").Count
            - Regex.Matches(compiled.PTXAssembly, @"\b(add|sub|mul)\.rn\.f64\b").Count);
        Assert.Equal(compiled.PTXAssembly.Length + 3 * Regex.Matches(compiled.PTXAssembly, @"\b(add|sub|mul)\.f64\b").Count, rounded.PTXAssembly.Length);
        Assert.Equal(compiled.SourceMethod, rounded.SourceMethod);
        Assert.True(entry.SharedMemory.StaticSize >= BlockSums.SharedDoubles * sizeof(double), $"static shared memory {entry.SharedMemory.StaticSize} bytes");
    }

    [Fact]
    public void ACachedKernelRoundTripsThroughTheCacheFolder()
    {
        var method = typeof(ReductionKernels).GetMethod(nameof(ReductionKernels.SumBlocks))!;
        var (rounded, entry) = KernelLoader.Rounded(Compile(method));
        string folder = Path.Combine(Path.GetTempPath(), "glmmgpu-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            string key = KernelCache.Key(method, "portable", "SM_90/ISA_78/" + PtxRounding.Version);
            Assert.Null(KernelCache.TryRead(folder, key));
            KernelCache.Write(folder, key, new CachedKernel(rounded.PTXAssembly, entry.SharedMemory.StaticSize));
            var cached = KernelCache.TryRead(folder, key);
            Assert.NotNull(cached);
            var rebuilt = KernelLoader.FromCache(fixture.Context, EntryPointDescription.FromExplicitlyGroupedKernel(method), cached);
            Assert.Equal(rounded.PTXAssembly, rebuilt.PTXAssembly);
            Assert.Equal(method, rebuilt.SourceMethod);
            // A file that is not a cached kernel is no entry.
            File.WriteAllText(Path.Combine(folder, key + ".json"), "{ not json");
            Assert.Null(KernelCache.TryRead(folder, key));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TheKeyChangesWithWhatThePtxDependsOn()
    {
        var thread = typeof(ClusterKernels).GetMethod(nameof(ClusterKernels.IntegrateByThread))!;
        string Key(Type model, Type effects, string math = "portable", string target = "SM_90/ISA_78/rn1") =>
            KernelCache.Key(thread.MakeGenericMethod(model, effects), math, target);
        var keys = new[]
        {
            Key(typeof(BinomialLogit), typeof(OneEffect)), Key(typeof(PoissonLog), typeof(OneEffect)), Key(typeof(BinomialLogit), typeof(TwoEffects)),
            Key(typeof(BinomialLogit), typeof(OneEffect), math: "libdevice"), Key(typeof(BinomialLogit), typeof(OneEffect), target: "SM_80/ISA_70/rn1"),
            KernelCache.Key(typeof(ClusterKernels).GetMethod(nameof(ClusterKernels.IntegrateByWarp))!.MakeGenericMethod(typeof(BinomialLogit), typeof(OneEffect)), "portable", "SM_90/ISA_78/rn1"),
        };
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(keys[0], Key(typeof(BinomialLogit), typeof(OneEffect)));
    }

    private PTXCompiledKernel Compile(System.Reflection.MethodInfo kernel)
    {
        using var backend = new PTXBackend(fixture.Context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null);
        return (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default(KernelSpecialization));
    }
}

using System.Collections.Immutable;
using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.IR.Analyses;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// Loads the explicitly grouped kernels an engine launches. On CUDA it compiles them itself rather than through
/// <c>LoadStreamKernel</c>, for two reasons: the PTX gets IEEE rounding on every double add, subtract and multiply
/// (<see cref="PtxRounding"/>), so that the driver's compiler does not fuse them into multiply-adds the CPU path does
/// not make, and the PTX is kept in an on-disk cache (<see cref="KernelCache"/>), so that a second process on the
/// same machine skips ILGPU's code generation. Elsewhere (ILGPU's CPU accelerator, OpenCL) it compiles them with the
/// device's own back end, unchanged and uncached, and launches them the same way. Where that fails for a reason of
/// ILGPU's making, it falls back to ILGPU's own loading.
/// </summary>
internal sealed class KernelLoader(IlgpuDevice device)
{
    private static readonly ConstructorInfo? PtxKernelConstructor = typeof(PTXCompiledKernel).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
        .FirstOrDefault(c => c.GetParameters().Length == 4);
    private static readonly PropertyInfo? EntryPointProperty = typeof(CompiledKernel).GetProperty("EntryPoint", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>What loading did, for the engine's report: kernels compiled here, taken from the cache, or loaded
    /// by ILGPU (with why, where the own path failed).</summary>
    public List<string> Notes { get; } = new();

    /// <summary>The launcher of an explicitly grouped kernel: <typeparamref name="TLauncher"/> is
    /// <c>Action&lt;AcceleratorStream, KernelConfig, ...the kernel's parameters&gt;</c>.</summary>
    public TLauncher Load<TLauncher>(MethodInfo kernel) where TLauncher : Delegate =>
        Launcher<TLauncher>(kernel) ?? device.Accelerator.LoadKernel<TLauncher>(kernel);

    /// <summary>The launcher of the kernel as <see cref="Own"/> loads it; null where that failed.</summary>
    private TLauncher? Launcher<TLauncher>(MethodInfo kernel) where TLauncher : Delegate
    {
        if (Own(kernel) is not { } loaded) return null;
        try
        {
            return loaded.CreateLauncherDelegate<TLauncher>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Notes.Add($"{kernel.Name}: loaded by ILGPU ({e.GetType().Name}: {e.Message})");
            return null;
        }
    }

    /// <summary>The same kernel with its PTX rounded (<see cref="PtxRounding"/>), and its entry point.</summary>
    internal static (PTXCompiledKernel Kernel, EntryPoint Entry) Rounded(PTXCompiledKernel compiled)
    {
        var entry = (EntryPoint)EntryPointProperty!.GetValue(compiled)!;
        var rounded = (PTXCompiledKernel)PtxKernelConstructor!.Invoke(new object[] { compiled.Context, entry, compiled.Info!, PtxRounding.Apply(compiled.PTXAssembly) });
        return (rounded, entry);
    }

    /// <summary>A kernel from its cached PTX: the entry point rebuilt from the kernel's description and the shared
    /// memory it declares.</summary>
    internal static PTXCompiledKernel FromCache(Context context, EntryPointDescription description, CachedKernel cached)
    {
        var entry = new EntryPoint(description, new SharedMemorySpecification(cached.StaticSharedBytes, false), default(KernelSpecialization));
        var info = new CompiledKernel.KernelInfo(default(AllocaKindInformation), ImmutableArray<CompiledKernel.FunctionInfo>.Empty);
        return (PTXCompiledKernel)PtxKernelConstructor!.Invoke(new object[] { context, entry, info, cached.Ptx });
    }

    /// <summary>The kernel compiled (on CUDA: rounded, or taken from the cache) and loaded by this class; null where
    /// that failed (ILGPU's own loading then takes over).</summary>
    private Kernel? Own(MethodInfo kernel)
    {
        try
        {
            var description = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
            if (device.Accelerator is not CudaAccelerator cuda || PtxKernelConstructor is null || EntryPointProperty is null)
                return device.Accelerator.LoadKernel(device.Accelerator.CompileKernel(description, default(KernelSpecialization)));
            string key = KernelCache.Key(kernel, device.MathName, $"{cuda.Architecture}/{cuda.InstructionSet}/{PtxRounding.Version}");
            if (KernelCache.TryRead(key) is { } cached)
            {
                var loaded = device.Accelerator.LoadKernel(FromCache(device.Context, description, cached));
                Notes.Add($"{kernel.Name}: from the kernel cache");
                return loaded;
            }
            var (rounded, entry) = Rounded((PTXCompiledKernel)device.Accelerator.CompileKernel(description, default(KernelSpecialization)));
            var result = device.Accelerator.LoadKernel(rounded);
            KernelCache.Write(key, new CachedKernel(rounded.PTXAssembly, entry.SharedMemory.StaticSize));
            Notes.Add($"{kernel.Name}: compiled");
            return result;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Notes.Add($"{kernel.Name}: loaded by ILGPU ({e.GetType().Name}: {e.Message})");
            return null;
        }
    }
}

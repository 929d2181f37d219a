using GlmmGpu.Engines.Cpu;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Engines;

/// <summary>
/// <see cref="EngineFactory"/>'s sibling for the linear mixed model and PQL: the same device choice, an engine
/// for the passes over the rows (<see cref="ILinearEngine"/>).
/// </summary>
internal static class LinearEngineFactory
{
    /// <summary>An engine for <typeparamref name="TModel"/> (whose working update PQL uses; the linear mixed model
    /// passes the Gaussian identity model) on the device <paramref name="execution"/> picks, and why.</summary>
    public static ILinearEngine Create<TModel>(ModelFrame frame, RandomEffectsBlock block, ExecutionOptions execution, out string reason)
        where TModel : struct, IRowLikelihood
    {
        var device = DeviceSelection.Open(execution, Workload.LinearModel(frame.RowCount), out reason);
        return device is null
            ? new CpuLinearEngine<TModel>(frame, block, execution.Parallel)
            : new IlgpuLinearEngine<TModel>(frame, block, device, parallel: execution.Parallel);
    }
}

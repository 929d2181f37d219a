using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Scheduling;

/// <summary>
/// <see cref="EngineFactory"/>'s sibling for the linear mixed model and PQL: the same device choice, an engine
/// for the passes over the rows (<see cref="ILinearEngine"/>). The choice is recorded in
/// <see cref="EngineFactory.LastChoice"/> as for the other methods.
/// </summary>
internal static class LinearEngineFactory
{
    /// <summary>An engine for <typeparamref name="TModel"/> (whose working update PQL uses; the linear mixed model
    /// passes the Gaussian identity model) on the device <see cref="FitOptions.Device"/> picks.</summary>
    public static ILinearEngine Create<TModel>(ModelFrame frame, RandomEffectsBlock block, FitOptions options)
        where TModel : struct, IRowLikelihood
    {
        var device = DeviceSelection.Open(options, out var reason);
        ILinearEngine engine = device is null
            ? new CpuLinearEngine<TModel>(frame, block, options.Threads)
            : new IlgpuLinearEngine<TModel>(frame, block, device);
        EngineFactory.Record(engine.Device, reason);
        return engine;
    }
}

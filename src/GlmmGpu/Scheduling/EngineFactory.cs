using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Scheduling;

/// <summary>
/// The scheduling layer's front: picks the device for a fit and builds the engine that evaluates the
/// marginal likelihood there. The math (kernels project) does not know which device runs it.
/// </summary>
internal static class EngineFactory
{
    public static IMarginalLikelihood Create(MarginalLikelihoodData data, FitOptions options) =>
        RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new Builder(data, options));

    private sealed class Builder(MarginalLikelihoodData data, FitOptions options) : IRowLikelihoodVisitor<IMarginalLikelihood>
    {
        public IMarginalLikelihood Visit<TModel>() where TModel : struct, IRowLikelihood => options.Device switch
        {
            DeviceChoice.Auto or DeviceChoice.Cpu => new CpuMarginalLikelihood<TModel>(data, options.Threads),
            _ => throw new GlmmException($"device '{options.Device}' is not available in this build yet; use --device cpu"),
        };
    }
}

using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Scheduling;

/// <summary>
/// The scheduling layer's front: picks the device for a fit and builds the engine that evaluates the
/// marginal likelihood there. The math (kernels project) does not know which device runs it. The library
/// prints nothing; the last choice and its reason are exposed here for the CLI to report.
/// </summary>
public static class EngineFactory
{
    // Per thread, so that concurrent fits (and tests) each see their own choice.
    [ThreadStatic] private static string? lastChoice, lastChoiceReason;

    /// <summary>The device of the most recent engine built on this thread (<c>cpu</c>, <c>ilgpu-cpu</c>,
    /// <c>cuda:NAME</c>, <c>opencl:NAME</c>); null before the first.</summary>
    public static string? LastChoice => lastChoice;

    /// <summary>One line on why <see cref="LastChoice"/> was picked, e.g. "auto: no CUDA device or OpenCL GPU found; using the CPU SIMD path".</summary>
    public static string? LastChoiceReason => lastChoiceReason;

    internal static IMarginalLikelihood Create(MarginalLikelihoodData data, FitOptions options)
    {
        var builder = new Builder(data, options);
        var engine = RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, builder);
        lastChoice = engine.Device;
        lastChoiceReason = builder.Reason;
        return engine;
    }

    private sealed class Builder(MarginalLikelihoodData data, FitOptions options) : IRowLikelihoodVisitor<IMarginalLikelihood>
    {
        public string Reason { get; private set; } = "";

        public IMarginalLikelihood Visit<TModel>() where TModel : struct, IRowLikelihood
        {
            switch (options.Device)
            {
                case DeviceChoice.Cpu:
                    Reason = "requested: the CPU SIMD path";
                    return new CpuMarginalLikelihood<TModel>(data, options.Threads);
                case DeviceChoice.IlgpuCpu:
                    Reason = "requested: ILGPU's CPU accelerator";
                    return Ilgpu<TModel>(IlgpuDevices.OpenCpu());
                case DeviceChoice.Cuda:
                    var cuda = IlgpuDevices.OpenCuda(options.CudaLibDevice);
                    Reason = $"requested: {cuda.Name}";
                    return Ilgpu<TModel>(cuda);
                case DeviceChoice.OpenCl:
                    var openCl = IlgpuDevices.OpenOpenCl();
                    Reason = $"requested: {openCl.Name}";
                    return Ilgpu<TModel>(openCl);
                default:
                    var gpu = IlgpuDevices.TryOpenGpu(options.CudaLibDevice, out var reason);
                    Reason = reason;
                    return gpu is null ? new CpuMarginalLikelihood<TModel>(data, options.Threads) : Ilgpu<TModel>(gpu);
            }
        }

        private IMarginalLikelihood Ilgpu<TModel>(IlgpuDevice device) where TModel : struct, IRowLikelihood =>
            new IlgpuMarginalLikelihood<TModel>(data, device, options.BatchClusters);
    }
}

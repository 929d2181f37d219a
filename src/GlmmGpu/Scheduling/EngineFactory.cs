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
        var device = DeviceSelection.Open(options, out var reason);
        IMarginalLikelihood engine;
        if (device is not null && device.Name.StartsWith("cuda:", StringComparison.Ordinal) && data.ClusterCount > 1
            && IlgpuDevices.OpenOtherCudaDevices(options.DeviceMath) is { Count: > 0 } others)
        {
            others.Insert(0, device);
            // No more devices than clusters: each needs one.
            foreach (var spare in others.Skip(data.ClusterCount)) spare.Dispose();
            if (others.Count > data.ClusterCount) others.RemoveRange(data.ClusterCount, others.Count - data.ClusterCount);
            engine = CreateOn(data, others, options);
            reason += $"; clusters spread over {others.Count} CUDA devices";
        }
        else engine = RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new Builder(data, device, options));
        Record(engine.Device, reason);
        return engine;
    }

    /// <summary>One engine per device, each on a contiguous range of clusters with about equal rows.</summary>
    internal static IMarginalLikelihood CreateOn(MarginalLikelihoodData data, IReadOnlyList<IlgpuDevice> devices, FitOptions options, bool ownsDevices = true)
    {
        if (devices.Count > data.ClusterCount)
            throw new ArgumentException($"{devices.Count} devices for {data.ClusterCount} clusters");
        var bounds = ClusterRangeSlice.Boundaries(data.ClusterOffsets, devices.Count);
        var parts = new IMarginalLikelihood[devices.Count];
        for (int k = 0; k < devices.Count; k++)
        {
            var slice = ClusterRangeSlice.Slice(data, bounds[k], bounds[k + 1]);
            parts[k] = RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new Builder(slice, devices[k], options, ownsDevices));
        }
        return new MultiDeviceMarginalLikelihood(data.Layout, parts, bounds[..^1], data.ClusterCount);
    }

    /// <summary>Notes the device an engine was built on, for <see cref="LastChoice"/> and <see cref="LastChoiceReason"/>.</summary>
    internal static void Record(string device, string reason)
    {
        lastChoice = device;
        lastChoiceReason = reason;
    }

    private sealed class Builder(MarginalLikelihoodData data, IlgpuDevice? device, FitOptions options, bool ownsDevice = true)
        : IRowLikelihoodVisitor<IMarginalLikelihood>
    {
        public IMarginalLikelihood Visit<TModel>() where TModel : struct, IRowLikelihood =>
            device is null
                ? new CpuMarginalLikelihood<TModel>(data, options.Threads)
                : new IlgpuMarginalLikelihood<TModel>(data, device, options.BatchClusters, ownsDevice);
    }
}

using GlmmGpu.Engines.Cpu;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Engines;

/// <summary>
/// Picks the device for a fit (<see cref="DeviceSelection"/>) and builds the engine that evaluates the marginal
/// likelihood there: the CPU path, one ILGPU device, or several CUDA devices sharing the clusters. The per-cluster
/// math does not know which device runs it. The library prints nothing; why the device was chosen comes back with
/// the engine, for the fit's record.
/// </summary>
public static class EngineFactory
{
    internal static IMarginalLikelihoodEngine Create(MarginalLikelihoodData data, ExecutionOptions execution) =>
        Create(data, execution, data.Grid.NodesPerDimension, out _);

    /// <param name="nodesPerEffect">The quadrature nodes the fit will use (an AGQ fit's engine starts with one, for
    /// its Laplace stage), for <c>--device auto</c>'s estimate.</param>
    internal static IMarginalLikelihoodEngine Create(MarginalLikelihoodData data, ExecutionOptions execution, int nodesPerEffect, out string reason)
    {
        var device = DeviceSelection.Open(execution, Workload.Likelihood(data.N, nodesPerEffect, data.Q), out reason);
        if (device is not null && device.Name.StartsWith("cuda:", StringComparison.Ordinal) && data.ClusterCount > 1
            && IlgpuDevices.OpenOtherCudaDevices(execution.DeviceMath) is { Count: > 0 } others)
        {
            others.Insert(0, device);
            // No more devices than clusters: each needs one.
            foreach (var spare in others.Skip(data.ClusterCount)) spare.Dispose();
            if (others.Count > data.ClusterCount) others.RemoveRange(data.ClusterCount, others.Count - data.ClusterCount);
            reason += $"; clusters spread over {others.Count} CUDA devices";
            return CreateOn(data, others, execution);
        }
        return RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new Builder(data, device, execution));
    }

    /// <summary>One engine per device, each on a contiguous range of clusters with about equal rows.</summary>
    internal static IMarginalLikelihoodEngine CreateOn(MarginalLikelihoodData data, IReadOnlyList<IlgpuDevice> devices, ExecutionOptions execution, bool ownsDevices = true)
    {
        if (devices.Count > data.ClusterCount)
            throw new ArgumentException($"{devices.Count} devices for {data.ClusterCount} clusters");
        var bounds = ClusterRangeSlice.Boundaries(data.ClusterOffsets, devices.Count);
        var parts = new IMarginalLikelihoodEngine[devices.Count];
        for (int k = 0; k < devices.Count; k++)
        {
            var slice = ClusterRangeSlice.Slice(data, bounds[k], bounds[k + 1]);
            parts[k] = RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new Builder(slice, devices[k], execution, ownsDevices));
        }
        return new MultiDeviceMarginalLikelihood(data.Layout, parts, bounds[..^1], data.ClusterCount);
    }

    private sealed class Builder(MarginalLikelihoodData data, IlgpuDevice? device, ExecutionOptions execution, bool ownsDevice = true)
        : IRowLikelihoodVisitor<IMarginalLikelihoodEngine>
    {
        public IMarginalLikelihoodEngine Visit<TModel>() where TModel : struct, IRowLikelihood =>
            device is null
                ? new CpuMarginalLikelihood<TModel>(data, execution.Parallel)
                : new IlgpuMarginalLikelihood<TModel>(data, device, execution.BatchClusters, ownsDevice, parallel: execution.Parallel);
    }
}

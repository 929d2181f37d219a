using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using ILGPU;

namespace GlmmGpu.Kernels.Kernels;

/// <summary>
/// The per-cluster integrals, in three shapes for three sizes of cluster (the scheduler sorts a batch's clusters
/// into lists by rows): a thread per cluster, a warp per cluster, a group of warps per cluster. All three run the
/// shared <see cref="ClusterIntegrator"/>; only the <see cref="IRowPartition"/> differs. Each starts Newton's
/// method at the cluster's last mode and keeps the new mode where the integral succeeded (as the CPU path does).
/// Outputs are indexed within the batch (<c>cluster - batchFirstCluster</c>); modes and row data globally.
/// </summary>
public static class ClusterKernels
{
    /// <summary>Thread t integrates cluster <c>clusters[t]</c> alone.</summary>
    public static void Integrate<TModel>(Index1D t, DeviceRows rows, ArrayView<int> clusterOffsets, ArrayView<int> clusters, int batchFirstCluster,
        IntegrandParameters parameters, ArrayView<Vec3> modes, ArrayView<ClusterOutput> outputs)
        where TModel : struct, IRowLikelihood
    {
        int g = clusters[t];
        var r = rows;
        ClusterIntegrator.Integrate<TModel, DeviceRows>(ref r, clusterOffsets[g], clusterOffsets[g + 1], parameters, modes[g], out var output);
        Keep(g, batchFirstCluster, output, modes, outputs);
    }

    /// <summary>
    /// Explicitly grouped: warp w of group b integrates cluster <c>clusters[b * warpsPerGroup + w]</c>, its lanes
    /// sharing the rows; <paramref name="count"/> bounds the list (the last group may have idle warps, which leave
    /// together, so no lane waits on a shuffle that will not come).
    /// </summary>
    public static void IntegrateByWarp<TModel>(DeviceRows rows, ArrayView<int> clusterOffsets, ArrayView<int> clusters, int count, int batchFirstCluster,
        IntegrandParameters parameters, ArrayView<Vec3> modes, ArrayView<ClusterOutput> outputs)
        where TModel : struct, IRowLikelihood
    {
        int at = Grid.IdxX * (Group.DimX / Warp.WarpSize) + Warp.WarpIdx;
        if (at >= count) return;
        int g = clusters[at];
        var r = rows;
        var part = default(WarpRowPartition);
        ClusterIntegrator.Integrate<TModel, DeviceRows, WarpRowPartition>(ref r, ref part, clusterOffsets[g], clusterOffsets[g + 1], parameters, modes[g], out var output);
        // Every lane read modes[g] as its start: all must have done so before lane 0 overwrites it.
        Warp.Barrier();
        if (Warp.LaneIdx == 0) Keep(g, batchFirstCluster, output, modes, outputs);
    }

    /// <summary>Explicitly grouped: group b integrates cluster <c>clusters[b]</c>, all its threads sharing the rows.</summary>
    public static void IntegrateByGroup<TModel>(DeviceRows rows, ArrayView<int> clusterOffsets, ArrayView<int> clusters, int batchFirstCluster,
        IntegrandParameters parameters, ArrayView<Vec3> modes, ArrayView<ClusterOutput> outputs)
        where TModel : struct, IRowLikelihood
    {
        int g = clusters[Grid.IdxX];
        var part = new GroupRowPartition(SharedMemory.Allocate<double>(GroupRowPartition.SharedDoubles));
        var r = rows;
        ClusterIntegrator.Integrate<TModel, DeviceRows, GroupRowPartition>(ref r, ref part, clusterOffsets[g], clusterOffsets[g + 1], parameters, modes[g], out var output);
        // Every thread read modes[g] as its start: all must have done so before thread 0 overwrites it.
        Group.Barrier();
        if (Group.IdxX == 0) Keep(g, batchFirstCluster, output, modes, outputs);
    }

    private static void Keep(int g, int batchFirstCluster, in ClusterOutput output, ArrayView<Vec3> modes, ArrayView<ClusterOutput> outputs)
    {
        if (output.Status == ClusterStatus.Ok || output.Status == ClusterStatus.NoConvergence) modes[g] = output.Mode;
        outputs[g - batchFirstCluster] = output;
    }
}

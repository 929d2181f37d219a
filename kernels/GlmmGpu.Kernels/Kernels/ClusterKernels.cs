using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using ILGPU;

namespace GlmmGpu.Kernels.Kernels;

/// <summary>The per-cluster integrals, one thread per cluster of a batch.</summary>
public static class ClusterKernels
{
    /// <summary>
    /// Integrates cluster <c>firstCluster + local</c> with the shared <see cref="ClusterIntegrator"/>, starting Newton's
    /// method at the cluster's last mode and keeping the new mode where the integral succeeded (as the CPU path does).
    /// Outputs are indexed within the batch; modes and row data globally.
    /// </summary>
    public static void Integrate<TModel>(Index1D local, DeviceRows rows, ArrayView<int> clusterOffsets, int firstCluster,
        IntegrandParameters parameters, ArrayView<Vec3> modes, ArrayView<ClusterOutput> outputs)
        where TModel : struct, IRowLikelihood
    {
        int g = firstCluster + local;
        var r = rows;
        ClusterIntegrator.Integrate<TModel, DeviceRows>(ref r, clusterOffsets[g], clusterOffsets[g + 1], parameters, modes[g], out var output);
        if (output.Status == ClusterStatus.Ok || output.Status == ClusterStatus.NoConvergence) modes[g] = output.Mode;
        outputs[local] = output;
    }
}

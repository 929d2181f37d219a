using GlmmGpu.Kernels.Linear;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>The linear mixed model's cross-products (<see cref="CrossProducts"/>) on a device.</summary>
public static class LinearKernels
{
    /// <summary>One thread per cluster: its Z'WZ, Z'WX and Z'Wy. Clusters are small and independent, so no thread waits on another.</summary>
    public static void ClusterStatistics(Index1D cluster, DeviceLinearRows rows, ArrayView<int> clusterOffsets, DeviceClusterStatistics target)
    {
        var r = rows;
        var t = target;
        CrossProducts.Cluster(ref r, ref t, cluster, clusterOffsets[cluster], clusterOffsets[cluster + 1], rows.P, rows.Q);
    }

    /// <summary>
    /// Partial global entries: thread t forms entry <c>t / blocks</c> over row block <c>t % blocks</c> into
    /// <c>partials[t]</c> (entry-major, so the host adds each entry's blocks in order: no atomics, reproducible).
    /// </summary>
    public static void GlobalStatistics(Index1D t, DeviceLinearRows rows, int blocks, int blockSize, ArrayView<double> partials)
    {
        int entry = t / blocks, block = t - entry * blocks;
        int start = block * blockSize;
        int end = start + blockSize < rows.N ? start + blockSize : rows.N;
        var r = rows;
        partials[t] = CrossProducts.Global(ref r, entry, start, end, rows.P, rows.Q);
    }
}

using GlmmGpu.Kernels.Linear;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>The linear mixed model's cross-products (<see cref="CrossProducts"/>) on a device.</summary>
public static class LinearKernels
{
    /// <summary>Thread t of <paramref name="count"/>: cluster t's Z'WZ, Z'WX and Z'Wy. Clusters are small and
    /// independent, so no thread waits on another.</summary>
    public static void ClusterStatistics(DeviceLinearRows rows, ArrayView<int> clusterOffsets, int count, DeviceClusterStatistics target)
    {
        int cluster = Grid.GlobalIndex.X;
        if (cluster >= count) return;
        var r = rows;
        var t = target;
        CrossProducts.Cluster(ref r, ref t, cluster, clusterOffsets[cluster], clusterOffsets[cluster + 1], rows.P, rows.Q);
    }

    /// <summary>
    /// Partial global entries: warp t of <paramref name="count"/> forms entry <c>t / blocks</c> over row block
    /// <c>t % blocks</c> into <c>partials[t]</c> (entry-major, so the host adds each entry's blocks in order). The
    /// lanes read 32 consecutive rows' terms at a time, side by side, and each lane adds them in row order from the
    /// shuffles: the sequential sum of <see cref="CrossProducts.Global"/>, bit for bit, with coalesced reads.
    /// </summary>
    public static void GlobalStatistics(DeviceLinearRows rows, int blocks, int blockSize, int count, ArrayView<double> partials)
    {
        int t = Grid.GlobalIndex.X / Warp.WarpSize;
        if (t >= count) return;
        int entry = t / blocks, block = t - entry * blocks;
        int start = block * blockSize;
        int end = start + blockSize < rows.N ? start + blockSize : rows.N;
        var term = CrossProducts.GlobalTermOf(entry, rows.P, rows.Q);
        var r = rows;
        double s = 0.0;
        for (int chunk = start; chunk < end; chunk += Warp.WarpSize)
        {
            int i = chunk + Warp.LaneIdx;
            double value = 0.0;
            int present = i < end && CrossProducts.RowTerm(ref r, term, i, out value) ? 1 : 0;
            int here = end - chunk < Warp.WarpSize ? end - chunk : Warp.WarpSize;
            for (int j = 0; j < here; j++)
            {
                double v = Warp.Shuffle(value, j);
                if (Warp.Shuffle(present, j) != 0) s += v;
            }
        }
        if (Warp.LaneIdx == 0) partials[t] = s;
    }
}

using ILGPU.Runtime;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// From how many rows a cluster is a warp's work, or a whole group's, rather than one thread's. A thread per
/// cluster keeps every lane busy when clusters are small and many; a cluster of thousands of rows on one thread
/// would leave its warp's other lanes idle behind it (and few large clusters would leave the device idle), so
/// its rows are shared out instead, at the price of combining every sum (a few shuffles per pass). The
/// thresholds are first choices, not yet tuned on a GPU: a warp from four rows per lane, a group of
/// <see cref="GroupThreads"/> from sixty-four rows per lane of a warp.
/// </summary>
internal readonly record struct ClusterSizePolicy(int WarpFromRows, int GroupFromRows, int GroupThreads, int WarpsPerGroup)
{
    public static ClusterSizePolicy For(Accelerator accelerator)
    {
        int warp = accelerator.WarpSize;
        int groupThreads = Math.Max(warp, Math.Min(256, accelerator.MaxNumThreadsPerGroup) / warp * warp);
        return new ClusterSizePolicy(4 * warp, 64 * warp, groupThreads, groupThreads / warp);
    }

    /// <summary>Every cluster on one thread (as before clusters were grouped by size).</summary>
    public static ClusterSizePolicy ThreadPerCluster(Accelerator accelerator) => For(accelerator) with { WarpFromRows = int.MaxValue, GroupFromRows = int.MaxValue };

    /// <summary>Every cluster on a warp, or on a group: for tests of those kernels on small data.</summary>
    public static ClusterSizePolicy WarpPerCluster(Accelerator accelerator) => For(accelerator) with { WarpFromRows = 0, GroupFromRows = int.MaxValue };
    public static ClusterSizePolicy GroupPerCluster(Accelerator accelerator) => For(accelerator) with { WarpFromRows = 0, GroupFromRows = 0 };
}

/// <summary>Where one size class's clusters sit in <see cref="ClusterSizeClasses.Lists"/>.</summary>
internal readonly record struct ClusterList(int Offset, int Count);

/// <summary>
/// The clusters sorted into the three kernels' lists, stored back to back in one array: the thread list ordered by
/// rows (ties by cluster), so that the lanes of a warp, which take consecutive entries, finish together; the others
/// in cluster order. The split depends only on the data and the policy, so a fit is reproducible.
/// </summary>
internal sealed class ClusterSizeClasses
{
    public required int[] Lists { get; init; }
    public required ClusterList Threads { get; init; }
    public required ClusterList Warps { get; init; }
    public required ClusterList Groups { get; init; }

    public static ClusterSizeClasses Build(int[] clusterOffsets, ClusterSizePolicy policy)
    {
        int clusters = clusterOffsets.Length - 1;
        var lists = new int[clusters];
        int at = 0;
        var threads = ByRows(clusterOffsets, 0, clusters, policy.WarpFromRows, lists, ref at);
        var warps = Take(clusterOffsets, 0, clusters, rows => rows >= policy.WarpFromRows && rows < policy.GroupFromRows, lists, ref at);
        var groups = Take(clusterOffsets, 0, clusters, rows => rows >= policy.WarpFromRows && rows >= policy.GroupFromRows, lists, ref at);
        return new ClusterSizeClasses { Lists = lists, Threads = threads, Warps = warps, Groups = groups };
    }

    /// <summary>The clusters of [first, end) with fewer than <paramref name="below"/> rows, ordered by rows and then
    /// by cluster: a counting sort on the row count, linear in the clusters (1e7 of them at 1e8 rows); a comparison
    /// sort where some cluster is too large for a table of counts.</summary>
    private static ClusterList ByRows(int[] clusterOffsets, int first, int end, int below, int[] lists, ref int at)
    {
        int offset = at, maxRows = 0, count = 0;
        for (int g = first; g < end; g++)
        {
            int rows = clusterOffsets[g + 1] - clusterOffsets[g];
            if (rows >= below) continue;
            count++;
            if (rows > maxRows) maxRows = rows;
        }
        if (maxRows > 1 << 20)
        {
            var keys = new long[count];
            int k = 0;
            for (int g = first; g < end; g++)
            {
                int rows = clusterOffsets[g + 1] - clusterOffsets[g];
                if (rows < below) keys[k++] = ((long)rows << 32) | (uint)g;
            }
            Array.Sort(keys);
            foreach (long key in keys) lists[at++] = (int)(uint)key;
            return new ClusterList(offset, count);
        }
        // next[r]: where the next cluster of r rows goes, from the counts of the smaller ones.
        var next = new int[maxRows + 1];
        for (int g = first; g < end; g++)
        {
            int rows = clusterOffsets[g + 1] - clusterOffsets[g];
            if (rows < below && rows < maxRows) next[rows + 1]++;
        }
        for (int r = 1; r <= maxRows; r++) next[r] += next[r - 1];
        for (int g = first; g < end; g++)
        {
            int rows = clusterOffsets[g + 1] - clusterOffsets[g];
            if (rows < below) lists[offset + next[rows]++] = g;
        }
        at += count;
        return new ClusterList(offset, count);
    }

    private static ClusterList Take(int[] clusterOffsets, int first, int end, Func<int, bool> belongs, int[] lists, ref int at)
    {
        int offset = at;
        for (int g = first; g < end; g++)
            if (belongs(clusterOffsets[g + 1] - clusterOffsets[g])) lists[at++] = g;
        return new ClusterList(offset, at - offset);
    }
}

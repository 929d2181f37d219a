namespace GlmmGpu.Scheduling;

/// <summary>A run of consecutive clusters integrated by one kernel launch, with the rows they cover.</summary>
internal readonly record struct ClusterBatch(int FirstCluster, int ClusterCount, int FirstRow, int RowCount);

/// <summary>
/// Splits the clusters into consecutive batches. The device holds per-cluster outputs and per-row scratch for
/// one batch at a time, so the batch size bounds that working memory (and the length of one launch) while the
/// model's data stay resident. Batch boundaries never change results (see ReductionKernels.ClusterSums).
/// </summary>
internal static class BatchPlan
{
    /// <summary>Batches of at most <paramref name="maxClusters"/> clusters whose working set
    /// (<paramref name="bytesPerCluster"/> each plus <paramref name="bytesPerRow"/> per row) fits
    /// <paramref name="maxBytes"/>; a batch always takes at least one cluster.</summary>
    public static ClusterBatch[] Split(int[] clusterOffsets, int maxClusters, long maxBytes, long bytesPerCluster, long bytesPerRow)
    {
        if (maxClusters < 1) throw new ArgumentOutOfRangeException(nameof(maxClusters), "a batch holds at least one cluster");
        int clusters = clusterOffsets.Length - 1;
        var batches = new List<ClusterBatch>();
        int first = 0;
        while (first < clusters)
        {
            int last = first + 1;
            long bytes = bytesPerCluster + bytesPerRow * (clusterOffsets[last] - clusterOffsets[first]);
            while (last < clusters && last - first < maxClusters)
            {
                long next = bytes + bytesPerCluster + bytesPerRow * (clusterOffsets[last + 1] - clusterOffsets[last]);
                if (next > maxBytes) break;
                bytes = next;
                last++;
            }
            batches.Add(new ClusterBatch(first, last - first, clusterOffsets[first], clusterOffsets[last] - clusterOffsets[first]));
            first = last;
        }
        return batches.ToArray();
    }
}

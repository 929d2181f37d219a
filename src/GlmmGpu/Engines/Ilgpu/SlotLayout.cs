namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// Where each row of the model sits on the device, and which block of threads integrates each cluster. Clusters go
/// to three kernels by size (<see cref="ClusterSizeClasses"/>): small ones a thread each, ordered by rows; larger
/// ones a warp each; the largest a group each. The small clusters are taken a warp's width at a time (a tile), and
/// row r of the cluster at lane l of a tile sits at slot <c>tile start + r W + l</c> (W the warp width, the tile's
/// depth its largest cluster's rows, shorter clusters padded): at every step of a pass the warp's lanes read W
/// neighbouring slots, one coalesced load, where rows in frame order would be W scattered ones. A warp's or group's
/// cluster keeps its rows in consecutive slots, which its threads read side by side already.
///
/// Blocks (the units whose partial sums the reductions add) are fixed by the layout alone: a group of thread-class
/// clusters, a group of warp-class clusters, or one group-class cluster. Batches are runs of whole blocks, so
/// batching never changes which numbers a block adds, nor the order of the blocks: a result's bits do not depend on it.
/// </summary>
internal sealed class SlotLayout
{
    private SlotLayout(int[] order, int threadClusters, int warpClusters, int threadsPerBlock, int warpsPerBlock, int warpWidth,
        int[] slotStarts, int[] rowOfSlot, int[] blockSlots, int[] blockClusters)
    {
        Order = order;
        ThreadClusters = threadClusters;
        WarpClusters = warpClusters;
        ThreadsPerBlock = threadsPerBlock;
        WarpsPerBlock = warpsPerBlock;
        WarpWidth = warpWidth;
        SlotStarts = slotStarts;
        RowOfSlot = rowOfSlot;
        BlockSlots = blockSlots;
        BlockClusters = blockClusters;
    }

    /// <summary>Every cluster once: the thread class by rows, then the warp class, then the group class.</summary>
    public int[] Order { get; }
    public int ThreadClusters { get; }
    public int WarpClusters { get; }
    public int GroupClusters => Order.Length - ThreadClusters - WarpClusters;
    public int ThreadsPerBlock { get; }
    public int WarpsPerBlock { get; }
    public int WarpWidth { get; }
    /// <summary>Per cluster (by index): the slot of its first row.</summary>
    public int[] SlotStarts { get; }
    /// <summary>Per slot: the model frame's row there, or -1 for padding.</summary>
    public int[] RowOfSlot { get; }
    public int SlotCount => RowOfSlot.Length;
    /// <summary>Block b holds slots [BlockSlots[b], BlockSlots[b + 1]) and the clusters
    /// Order[BlockClusters[b] .. BlockClusters[b + 1]).</summary>
    public int[] BlockSlots { get; }
    public int[] BlockClusters { get; }
    public int Blocks => BlockSlots.Length - 1;
    public int ThreadBlocks => (ThreadClusters + ThreadsPerBlock - 1) / ThreadsPerBlock;
    public int WarpBlocks => (WarpClusters + WarpsPerBlock - 1) / WarpsPerBlock;

    public static SlotLayout Build(int[] clusterOffsets, ClusterSizePolicy policy, int warpWidth, int threadsPerBlock)
    {
        if (threadsPerBlock % warpWidth != 0) throw new ArgumentException("a block of the thread class is whole warps", nameof(threadsPerBlock));
        int clusters = clusterOffsets.Length - 1;
        var classes = ClusterSizeClasses.Build(clusterOffsets, policy);
        int threadCount = classes.Threads.Count, warpCount = classes.Warps.Count;
        var order = classes.Lists;
        int Rows(int g) => clusterOffsets[g + 1] - clusterOffsets[g];

        // Slots: the thread class's tiles, then the warp and group classes' clusters end to end.
        var slotStarts = new int[clusters];
        long slots = 0;
        var tileDepth = new int[(threadCount + warpWidth - 1) / warpWidth];
        for (int t = 0; t < tileDepth.Length; t++)
        {
            // Ordered by rows, so a tile's last cluster is its deepest.
            tileDepth[t] = Rows(order[Math.Min(threadCount, (t + 1) * warpWidth) - 1]);
            for (int at = t * warpWidth; at < Math.Min(threadCount, (t + 1) * warpWidth); at++) slotStarts[order[at]] = (int)(slots + at - t * warpWidth);
            slots += (long)tileDepth[t] * warpWidth;
        }
        long threadSlots = slots;
        for (int at = threadCount; at < clusters; at++)
        {
            slotStarts[order[at]] = (int)slots;
            slots += Rows(order[at]);
        }
        if (slots > int.MaxValue) throw new GlmmException($"the device layout needs {slots} slots, more than one launch can index; try --device cpu");
        var rowOfSlot = new int[slots];
        Array.Fill(rowOfSlot, -1, 0, (int)threadSlots);
        for (int at = 0; at < clusters; at++)
        {
            int g = order[at], first = clusterOffsets[g], rows = Rows(g);
            int spacing = at < threadCount ? warpWidth : 1;
            for (int r = 0; r < rows; r++) rowOfSlot[slotStarts[g] + r * spacing] = first + r;
        }

        // Blocks: ThreadsPerBlock thread-class clusters (whole tiles), WarpsPerBlock warp-class ones, one group-class one.
        var blockSlots = new List<int> { 0 };
        var blockClusters = new List<int> { 0 };
        int warpsPerBlock = policy.WarpsPerGroup;
        int tilesPerBlock = threadsPerBlock / warpWidth, slot = 0;
        for (int t = 0; t < tileDepth.Length; t += tilesPerBlock)
        {
            for (int u = t; u < Math.Min(tileDepth.Length, t + tilesPerBlock); u++) slot += tileDepth[u] * warpWidth;
            blockSlots.Add(slot);
            blockClusters.Add(Math.Min(threadCount, (t + tilesPerBlock) * warpWidth));
        }
        for (int at = threadCount; at < threadCount + warpCount; at += warpsPerBlock)
        {
            int end = Math.Min(threadCount + warpCount, at + warpsPerBlock);
            for (int u = at; u < end; u++) slot += Rows(order[u]);
            blockSlots.Add(slot);
            blockClusters.Add(end);
        }
        for (int at = threadCount + warpCount; at < clusters; at++)
        {
            slot += Rows(order[at]);
            blockSlots.Add(slot);
            blockClusters.Add(at + 1);
        }
        return new SlotLayout(order, threadCount, warpCount, threadsPerBlock, warpsPerBlock, warpWidth, slotStarts, rowOfSlot,
            blockSlots.ToArray(), blockClusters.ToArray());
    }

    /// <summary>Batches of whole blocks: each of at most <paramref name="maxClusters"/> clusters (but at least one block)
    /// whose working set (<paramref name="bytesPerCluster"/> each, <paramref name="bytesPerSlot"/> per slot) fits
    /// <paramref name="maxBytes"/>.</summary>
    public SlotBatch[] Split(int maxClusters, long maxBytes, long bytesPerCluster, long bytesPerSlot)
    {
        var batches = new List<SlotBatch>();
        int first = 0;
        while (first < Blocks)
        {
            int last = first + 1;
            while (last < Blocks)
            {
                long clusters = BlockClusters[last + 1] - BlockClusters[first];
                long bytes = clusters * bytesPerCluster + (long)(BlockSlots[last + 1] - BlockSlots[first]) * bytesPerSlot;
                if (clusters > maxClusters || bytes > maxBytes) break;
                last++;
            }
            batches.Add(new SlotBatch(first, last - first, BlockSlots[first], BlockSlots[last] - BlockSlots[first],
                BlockClusters[first], BlockClusters[last] - BlockClusters[first]));
            first = last;
        }
        return batches.ToArray();
    }

    /// <summary>The part of <paramref name="batch"/>'s blocks in each class: (first block, blocks, first entry of
    /// <see cref="Order"/>, clusters).</summary>
    public (ClassRange Threads, ClassRange Warps, ClassRange Groups) Classes(SlotBatch batch)
    {
        int end = batch.FirstBlock + batch.BlockCount;
        ClassRange Part(int classFirstBlock, int classBlocks)
        {
            int lo = Math.Max(batch.FirstBlock, classFirstBlock), hi = Math.Min(end, classFirstBlock + classBlocks);
            if (hi <= lo) return new ClassRange(lo, 0, BlockClusters[lo], 0);
            return new ClassRange(lo, hi - lo, BlockClusters[lo], BlockClusters[hi] - BlockClusters[lo]);
        }
        return (Part(0, ThreadBlocks), Part(ThreadBlocks, WarpBlocks), Part(ThreadBlocks + WarpBlocks, GroupClusters));
    }
}

/// <summary>A run of consecutive blocks of the layout, with the slots and clusters (entries of
/// <see cref="SlotLayout.Order"/>) they cover.</summary>
internal readonly record struct SlotBatch(int FirstBlock, int BlockCount, int FirstSlot, int SlotCount, int FirstCluster, int ClusterCount);

/// <summary>One kernel's share of a batch: its blocks, and the entries of <see cref="SlotLayout.Order"/> they integrate.</summary>
internal readonly record struct ClassRange(int FirstBlock, int BlockCount, int FirstCluster, int ClusterCount);

namespace GlmmGpu.Model;

/// <summary>
/// Orders rows so that each level of a grouping factor is contiguous (a stable counting sort: rows keep
/// their source order within a cluster), which lets estimators stream one cluster at a time.
/// </summary>
internal static class ClusterOrder
{
    /// <summary>The new order (order[i] = old index of new row i) and the CSR offsets of each level's rows.</summary>
    public static (int[] Order, int[] Offsets) ByLevel(int[] codes, int levelCount)
    {
        var offsets = new int[levelCount + 1];
        foreach (int c in codes) offsets[c + 1]++;
        for (int g = 0; g < levelCount; g++) offsets[g + 1] += offsets[g];
        var next = (int[])offsets.Clone();
        var order = new int[codes.Length];
        for (int i = 0; i < codes.Length; i++) order[next[codes[i]]++] = i;
        return (order, offsets);
    }
}

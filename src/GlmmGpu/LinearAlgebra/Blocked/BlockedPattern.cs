namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>One random-effects term's columns of Z: q effects for each of its levels, Z column-major (n by q), and
/// every row's level.</summary>
public sealed record BlockedTerm(int Q, int Levels, double[] Z, int[] LevelOfRow)
{
    public int Size => Q * Levels;
}

/// <summary>
/// The structure of Z'WZ for several random-effects terms, as MixedModels.jl blocks it: the first term (the one with
/// most levels) keeps a block-diagonal block, q0 by q0 per level; the other terms together form one dense block; and
/// the block between them is sparse, each of the first term's levels holding the rows of the other terms' levels it
/// meets in the data. The pattern depends on the levels alone, so it is found once and filled for every set of weights.
/// </summary>
public sealed class BlockedPattern
{
    public IReadOnlyList<BlockedTerm> Terms { get; }
    public int RowCount { get; }
    public int Q0 => Terms[0].Q;
    public int Levels0 => Terms[0].Levels;
    /// <summary>The first term's size: its levels times its effects.</summary>
    public int FirstSize => Terms[0].Size;
    /// <summary>The dense block's size: every later term's levels times its effects.</summary>
    public int RestSize { get; }
    /// <summary>Where term k (k &gt;= 1) starts in the dense block: its level l's effect d is row RestOffset[k] + l q_k + d.</summary>
    public int[] RestOffset { get; }
    /// <summary>Level j of the first term holds slots <c>[ColumnStart[j], ColumnStart[j+1])</c> of the sparse block.</summary>
    public int[] ColumnStart { get; }
    /// <summary>Each slot's row in the dense block, increasing within a level of the first term.</summary>
    public int[] SlotRow { get; }
    /// <summary>For term k &gt;= 1 (at k - 1) and each data row, the slot of its level's first effect.</summary>
    public int[][] SlotOfRow { get; }
    public int SlotCount => SlotRow.Length;

    public BlockedPattern(IReadOnlyList<BlockedTerm> terms)
    {
        if (terms.Count < 2) throw new ArgumentException("the blocked system is for two or more terms", nameof(terms));
        Terms = terms;
        int n = terms[0].LevelOfRow.Length;
        RowCount = n;
        RestOffset = new int[terms.Count];
        var levelOffset = new int[terms.Count];
        int rest = 0, restLevels = 0;
        for (int k = 1; k < terms.Count; k++)
        {
            RestOffset[k] = rest;
            levelOffset[k] = restLevels;
            rest += terms[k].Size;
            restLevels += terms[k].Levels;
        }
        RestSize = rest;
        // One key per (level of the first term, level of a later term) that occurs; sorted, they give the slots in order.
        var keys = new long[(long)n * (terms.Count - 1)];
        var first = terms[0].LevelOfRow;
        for (int k = 1; k < terms.Count; k++)
        {
            var codes = terms[k].LevelOfRow;
            long at = (long)(k - 1) * n;
            for (int i = 0; i < n; i++) keys[at + i] = (long)first[i] * restLevels + levelOffset[k] + codes[i];
        }
        var distinct = (long[])keys.Clone();
        Array.Sort(distinct);
        int count = 0;
        for (int t = 0; t < distinct.Length; t++)
            if (t == 0 || distinct[t] != distinct[t - 1]) distinct[count++] = distinct[t];
        Array.Resize(ref distinct, count);

        // Each key stands for its term's q_k effects; a key's first slot is the effects before it.
        var termOfRestLevel = new int[restLevels];
        for (int k = 1; k < terms.Count; k++)
            for (int l = 0; l < terms[k].Levels; l++) termOfRestLevel[levelOffset[k] + l] = k;
        var firstSlot = new int[count];
        ColumnStart = new int[terms[0].Levels + 1];
        var slotRows = new List<int>(count);
        for (int t = 0; t < count; t++)
        {
            int j = (int)(distinct[t] / restLevels), restLevel = (int)(distinct[t] % restLevels);
            int k = termOfRestLevel[restLevel], level = restLevel - levelOffset[k];
            firstSlot[t] = slotRows.Count;
            ColumnStart[j + 1] += terms[k].Q;
            for (int d = 0; d < terms[k].Q; d++) slotRows.Add(RestOffset[k] + level * terms[k].Q + d);
        }
        for (int j = 0; j < terms[0].Levels; j++) ColumnStart[j + 1] += ColumnStart[j];
        SlotRow = slotRows.ToArray();
        SlotOfRow = new int[terms.Count - 1][];
        for (int k = 1; k < terms.Count; k++)
        {
            var slots = new int[n];
            long at = (long)(k - 1) * n;
            for (int i = 0; i < n; i++) slots[i] = firstSlot[Array.BinarySearch(distinct, keys[at + i])];
            SlotOfRow[k - 1] = slots;
        }
    }
}

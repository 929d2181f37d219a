namespace GlmmGpu.Model;

/// <summary>
/// A model frame of every k-th cluster of another (the clusters whole, in their order), for fits that want a cheap,
/// representative look at the data first. Systematic over the sorted clusters, so it does not depend on how the
/// source rows were ordered.
/// </summary>
internal static class ClusterSample
{
    /// <summary>Clusters 0, <paramref name="stride"/>, 2 <paramref name="stride"/>, ... of a frame with one
    /// random-effects block whose rows are sorted by cluster.</summary>
    public static ModelFrame EveryKth(ModelFrame frame, int stride)
    {
        if (frame.RandomEffects.Length != 1 || frame.RandomEffects[0].ClusterOffsets is null)
            throw new ArgumentException("a cluster sample needs one random-effects block with cluster offsets", nameof(frame));
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride));
        var block = frame.RandomEffects[0];
        var offsets = block.ClusterOffsets!;
        int clusters = (block.LevelCount + stride - 1) / stride;
        var newOffsets = new int[clusters + 1];
        var rows = new List<int>();
        for (int c = 0; c < clusters; c++)
        {
            int g = c * stride;
            for (int i = offsets[g]; i < offsets[g + 1]; i++) rows.Add(i);
            newOffsets[c + 1] = rows.Count;
        }
        int n = frame.RowCount, m = rows.Count;
        var levelOfRow = new int[m];
        for (int c = 0; c < clusters; c++)
            for (int i = newOffsets[c]; i < newOffsets[c + 1]; i++) levelOfRow[i] = c;
        var levels = new string[clusters];
        for (int c = 0; c < clusters; c++) levels[c] = block.Levels[c * stride];
        var sampled = new RandomEffectsBlock
        {
            Term = block.Term,
            GroupingFactor = block.GroupingFactor,
            Levels = levels,
            TermNames = block.TermNames,
            Correlated = block.Correlated,
            Z = Columns(block.Z, block.Q, n, rows),
            LevelOfRow = levelOfRow,
            ClusterOffsets = newOffsets,
        };
        return new ModelFrame
        {
            Formula = frame.Formula,
            Family = frame.Family,
            Link = frame.Link,
            Response = Columns(frame.Response, 1, n, rows),
            Weights = Columns(frame.Weights, 1, n, rows),
            Offset = Columns(frame.Offset, 1, n, rows),
            X = Columns(frame.X, frame.P, n, rows),
            FixedNames = frame.FixedNames,
            DroppedColumns = frame.DroppedColumns,
            RandomEffects = [sampled],
            DroppedRows = 0,
            SourceRow = rows.Select(i => frame.SourceRow[i]).ToArray(),
            WeightsColumn = frame.WeightsColumn,
            FactorLevels = frame.FactorLevels,
        };
    }

    /// <summary>The chosen rows of a column-major array of <paramref name="columns"/> columns of n rows.</summary>
    private static double[] Columns(double[] source, int columns, int n, List<int> rows)
    {
        var result = new double[(long)columns * rows.Count];
        for (int k = 0; k < columns; k++)
            for (int i = 0; i < rows.Count; i++) result[(long)k * rows.Count + i] = source[(long)k * n + rows[i]];
        return result;
    }
}

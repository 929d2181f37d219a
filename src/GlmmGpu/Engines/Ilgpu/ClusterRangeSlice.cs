using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Model;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// A contiguous range of clusters as a model of its own: rows are sorted by cluster, so clusters
/// [first, end) own one contiguous range of rows, which is copied out with its offsets rebased. Each device of a
/// several-device fit gets one such slice.
/// </summary>
internal static class ClusterRangeSlice
{
    public static MarginalLikelihoodData Slice(MarginalLikelihoodData data, int firstCluster, int endCluster)
    {
        var frame = data.Frame;
        var block = data.Block;
        var offsets = data.ClusterOffsets;
        int n = frame.RowCount, r0 = offsets[firstCluster], m = offsets[endCluster] - r0;
        var clusterOffsets = new int[endCluster - firstCluster + 1];
        for (int c = 0; c < clusterOffsets.Length; c++) clusterOffsets[c] = offsets[firstCluster + c] - r0;
        var levelOfRow = new int[m];
        for (int i = 0; i < m; i++) levelOfRow[i] = block.LevelOfRow[r0 + i] - firstCluster;
        var slicedBlock = new RandomEffectsBlock
        {
            Term = block.Term,
            GroupingFactor = block.GroupingFactor,
            Levels = block.Levels[firstCluster..endCluster],
            TermNames = block.TermNames,
            Correlated = block.Correlated,
            Z = Columns(block.Z, n, block.Q, r0, m),
            LevelOfRow = levelOfRow,
            ClusterOffsets = clusterOffsets,
        };
        var sliced = new ModelFrame
        {
            Formula = frame.Formula,
            Family = frame.Family,
            Link = frame.Link,
            Response = frame.Response[r0..(r0 + m)],
            Weights = frame.Weights[r0..(r0 + m)],
            Offset = frame.Offset[r0..(r0 + m)],
            X = Columns(frame.X, n, frame.P, r0, m),
            FixedNames = frame.FixedNames,
            DroppedColumns = frame.DroppedColumns,
            RandomEffects = new[] { slicedBlock },
            DroppedRows = 0,
            SourceRow = frame.SourceRow[r0..(r0 + m)],
            FactorLevels = frame.FactorLevels,
        };
        return MarginalLikelihoodData.Create(sliced, data.Grid.NodesPerDimension);
    }

    /// <summary>Rows [r0, r0 + m) of each of <paramref name="columns"/> column-major columns of length n.</summary>
    private static double[] Columns(double[] source, int n, int columns, int r0, int m)
    {
        var result = new double[(long)columns * m];
        for (int k = 0; k < columns; k++) Array.Copy(source, (long)k * n + r0, result, (long)k * m, m);
        return result;
    }

    /// <summary>
    /// Cluster boundaries that split the rows into <paramref name="parts"/> nearly equal shares: each boundary is
    /// the cluster edge nearest its share, kept at least one cluster from its neighbours.
    /// </summary>
    public static int[] Boundaries(int[] clusterOffsets, int parts)
    {
        int clusters = clusterOffsets.Length - 1, rows = clusterOffsets[clusters];
        if (parts < 1 || parts > clusters) throw new ArgumentOutOfRangeException(nameof(parts), $"cannot split {clusters} clusters into {parts} parts");
        var bounds = new int[parts + 1];
        bounds[parts] = clusters;
        for (int k = 1; k < parts; k++)
        {
            int target = (int)((long)rows * k / parts);
            int at = Array.BinarySearch(clusterOffsets, target);
            if (at < 0)
            {
                at = ~at;
                if (target - clusterOffsets[at - 1] <= clusterOffsets[at] - target) at--;
            }
            bounds[k] = Math.Clamp(at, bounds[k - 1] + 1, clusters - (parts - k));
        }
        return bounds;
    }
}

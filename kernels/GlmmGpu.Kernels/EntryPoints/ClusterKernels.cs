using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// One evaluation's pass over the rows, at one or several parameter vectors, in three shapes for three sizes of
/// cluster: a thread per cluster (rows interleaved across the warp's lanes, <see cref="LaneInterleaved"/>), a warp per
/// cluster, a group of warps per cluster. Each thread forms eta = x'beta + offset for its rows, runs the shared
/// <see cref="ClusterIntegrator"/> (Newton's method started at the cluster's last mode, which it keeps where the
/// integral succeeded, as the CPU path does), and then adds its cluster's log-likelihood, dispersion and Lambda
/// gradients and its rows' share of X'alpha into its group's partial sums by <see cref="BlockSums"/>: the rows are
/// read once per evaluation, and the partials go to <see cref="ReductionKernels.SumBlocks"/>.
///
/// Groups take vectors fastest (group b: vector b % K, block b / K), so the K groups that read the same rows run
/// side by side and the rows come from cache for all but the first.
/// </summary>
public static class ClusterKernels
{
    /// <summary>Thread t of block b integrates cluster <c>clusters[b * group size + t]</c> alone; threads past
    /// <paramref name="count"/> only take part in the block's sums.</summary>
    public static void IntegrateByThread<TModel, TEffects>(EvaluationViews views, ArrayView<int> clusters, int count, int firstBlock, int outputBase)
        where TModel : struct, IRowLikelihood
        where TEffects : struct, IEffectCount
    {
        int vector = Grid.IdxX % views.Vectors, block = Grid.IdxX / views.Vectors;
        int at = block * Group.DimX + Group.IdxX;
        var sums = new BlockSums(SharedMemory.Allocate<double>(BlockSums.SharedDoubles));
        var rows = views.Rows.ForVector(vector);
        var part = default(LaneInterleaved);
        var output = default(ClusterOutput);
        int start = 0, end = 0;
        bool active = at < count;
        if (active)
        {
            int g = clusters[at];
            start = views.SlotStarts[g];
            end = start + views.RowCounts[g] * Warp.WarpSize;
            Integrate<TModel, TEffects, LaneInterleaved>(ref rows, ref part, views, g, vector, start, end, out output);
            Keep(views, g, vector, outputBase + at, output);
        }
        AddToPartials(ref sums, ref rows, ref part, views, vector, firstBlock + block, active, output, start, end);
    }

    /// <summary>Warp w of block b integrates cluster <c>clusters[b * warps per group + w]</c>, its lanes sharing the
    /// rows; warps past <paramref name="count"/> only take part in the block's sums (they skip the integral together,
    /// so no lane waits on a shuffle that will not come).</summary>
    public static void IntegrateByWarp<TModel, TEffects>(EvaluationViews views, ArrayView<int> clusters, int count, int firstBlock, int outputBase)
        where TModel : struct, IRowLikelihood
        where TEffects : struct, IEffectCount
    {
        int vector = Grid.IdxX % views.Vectors, block = Grid.IdxX / views.Vectors;
        int at = block * (Group.DimX / Warp.WarpSize) + Warp.WarpIdx;
        var sums = new BlockSums(SharedMemory.Allocate<double>(BlockSums.SharedDoubles));
        var rows = views.Rows.ForVector(vector);
        var part = default(WarpRowPartition);
        var output = default(ClusterOutput);
        int start = 0, end = 0;
        bool active = at < count;
        if (active)
        {
            int g = clusters[at];
            start = views.SlotStarts[g];
            end = start + views.RowCounts[g];
            Integrate<TModel, TEffects, WarpRowPartition>(ref rows, ref part, views, g, vector, start, end, out output);
            // Every lane read the cluster's mode as its start: all must have done so before lane 0 overwrites it.
            Warp.Barrier();
            if (Warp.LaneIdx == 0) Keep(views, g, vector, outputBase + at, output);
        }
        AddToPartials(ref sums, ref rows, ref part, views, vector, firstBlock + block, active && Warp.LaneIdx == 0, output, start, end);
    }

    /// <summary>Block b integrates cluster <c>clusters[b]</c>, all its threads sharing the rows.</summary>
    public static void IntegrateByGroup<TModel, TEffects>(EvaluationViews views, ArrayView<int> clusters, int firstBlock, int outputBase)
        where TModel : struct, IRowLikelihood
        where TEffects : struct, IEffectCount
    {
        int vector = Grid.IdxX % views.Vectors, at = Grid.IdxX / views.Vectors;
        var sums = new BlockSums(SharedMemory.Allocate<double>(BlockSums.SharedDoubles));
        var part = new GroupRowPartition(SharedMemory.Allocate<double>(GroupRowPartition.SharedDoubles));
        var rows = views.Rows.ForVector(vector);
        int g = clusters[at];
        int start = views.SlotStarts[g], end = start + views.RowCounts[g];
        Integrate<TModel, TEffects, GroupRowPartition>(ref rows, ref part, views, g, vector, start, end, out var output);
        // Every thread read the cluster's mode as its start: all must have done so before thread 0 overwrites it.
        Group.Barrier();
        if (Group.IdxX == 0) Keep(views, g, vector, outputBase + at, output);
        AddToPartials(ref sums, ref rows, ref part, views, vector, firstBlock + at, Group.IdxX == 0, output, start, end);
    }

    /// <summary>eta for this thread's rows of the cluster, then the cluster's integral, with q the constant of
    /// <typeparamref name="TEffects"/> (the same as the parameters' q: the host loads the kernel for it).</summary>
    private static void Integrate<TModel, TEffects, TPart>(ref DeviceRows rows, ref TPart part, in EvaluationViews views, int g, int vector,
        int start, int end, out ClusterOutput output)
        where TModel : struct, IRowLikelihood
        where TEffects : struct, IEffectCount
        where TPart : struct, IRowPartition
    {
        int p = views.P;
        long betaAt = (long)vector * p;
        for (int j = part.FirstRow(start); j < end; j += part.Stride)
        {
            int d = j - rows.DataSlotBase;
            // Column by column, as the CPU path's MultiplyAdd accumulates it.
            double e = views.Offset[d];
            for (int c = 0; c < p; c++) e = views.X[(long)c * rows.DataStride + d] * views.Betas[betaAt + c] + e;
            rows.SetFixedEta(j, e);
        }
        ClusterIntegrator.Integrate<TModel, DeviceRows, TPart, TEffects>(ref rows, ref part, start, end, views.Parameters[vector],
            views.Modes[(long)vector * views.ClusterCount + g], out output);
    }

    private static void Keep(in EvaluationViews views, int g, int vector, int outputAt, in ClusterOutput output)
    {
        if (output.Status == ClusterStatus.Ok || output.Status == ClusterStatus.NoConvergence)
            views.Modes[(long)vector * views.ClusterCount + g] = output.Mode;
        if (views.WriteOutputs) views.Outputs[outputAt] = output;
    }

    /// <summary>The block's partial sums of every quantity (<see cref="EvaluationViews.Values"/> of them): the
    /// cluster's from its owning thread, X'alpha from every thread over its own rows.</summary>
    private static void AddToPartials<TPart>(ref BlockSums sums, ref DeviceRows rows, ref TPart part, in EvaluationViews views, int vector,
        int block, bool owner, in ClusterOutput output, int start, int end)
        where TPart : struct, IRowPartition
    {
        long stride = views.Blocks;
        long at = (long)vector * views.Values * stride + block;
        var partials = views.Partials;
        sums.Store(owner ? output.LogLik : 0.0, partials, at);
        sums.Store(owner ? output.DispersionGradient : 0.0, partials, at + stride);
        sums.Store(owner ? output.LambdaGradient.A00 : 0.0, partials, at + 2 * stride);
        sums.Store(owner ? output.LambdaGradient.A10 : 0.0, partials, at + 3 * stride);
        sums.Store(owner ? output.LambdaGradient.A11 : 0.0, partials, at + 4 * stride);
        sums.Store(owner ? output.LambdaGradient.A20 : 0.0, partials, at + 5 * stride);
        sums.Store(owner ? output.LambdaGradient.A21 : 0.0, partials, at + 6 * stride);
        sums.Store(owner ? output.LambdaGradient.A22 : 0.0, partials, at + 7 * stride);
        // The same for every thread of the group (one vector per group), so no thread skips a barrier the others wait at.
        if (!views.Parameters[vector].ComputeGradient) return;
        for (int c = 0; c < views.P; c++)
        {
            double s = 0.0;
            long column = (long)c * rows.DataStride - rows.DataSlotBase;
            for (int j = part.FirstRow(start); j < end; j += part.Stride) s += views.X[column + j] * rows.Alpha(j);
            sums.Store(s, partials, at + (EvaluationViews.ClusterValues + c) * stride);
        }
    }
}

using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// The second stage of an evaluation's sums: the cluster kernels leave one partial per block of the device layout
/// for each quantity (<see cref="EvaluationViews"/>); here group i adds quantity i's partials, each thread a fixed
/// stride of them in order, then the threads by <see cref="BlockSums"/>. The shape depends only on the layout and the
/// group size, never on batching or thread timing, so a result has the same bits every run; no atomics.
/// </summary>
public static class ReductionKernels
{
    /// <summary>totals[i] = the sum of partials[i blocks .. (i + 1) blocks), for group i.</summary>
    public static void SumBlocks(ArrayView<double> partials, int blocks, ArrayView<double> totals)
    {
        var sums = new BlockSums(SharedMemory.Allocate<double>(BlockSums.SharedDoubles));
        long first = (long)Grid.IdxX * blocks;
        double s = 0.0;
        for (int b = Group.IdxX; b < blocks; b += Group.DimX) s += partials[first + b];
        sums.Store(s, totals, Grid.IdxX);
    }
}

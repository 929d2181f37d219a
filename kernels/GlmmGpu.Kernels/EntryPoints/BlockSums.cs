using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// Deterministic sums over the threads of one group: each warp adds its lanes by a butterfly of XOR shuffles
/// (<see cref="WarpRowPartition.WarpSum"/>), then thread 0 adds the warps' sums in warp order. The shape depends only
/// on the group size, never on thread timing, so a sum has the same bits every run; no atomics.
/// </summary>
public struct BlockSums
{
    /// <summary>Doubles of shared memory a kernel allocates for it: two slots per warp of the largest group.</summary>
    public const int SharedDoubles = 2 * MaxWarps;
    private const int MaxWarps = 32;

    private readonly ArrayView<double> shared;
    private int parity;

    public BlockSums(ArrayView<double> shared)
    {
        this.shared = shared;
        parity = 0;
    }

    /// <summary>Adds <paramref name="value"/> over the group and has thread 0 store the total at
    /// <paramref name="target"/>[<paramref name="index"/>]. Every thread of the group must call it, in the same order.</summary>
    public void Store(double value, ArrayView<double> target, long index)
    {
        double x = WarpRowPartition.WarpSum(value);
        // Two slots per warp used alternately: a warp writing the next sum cannot overwrite one that thread 0 is
        // still reading, since the two sit on either side of that next sum's barrier.
        int slot = parity * MaxWarps;
        parity ^= 1;
        if (Warp.LaneIdx == 0) shared[slot + Warp.WarpIdx] = x;
        Group.Barrier();
        if (Group.IdxX != 0) return;
        int warps = Group.DimX / Warp.WarpSize;
        double total = 0.0;
        for (int w = 0; w < warps; w++) total += shared[slot + w];
        target[index] = total;
    }
}

using GlmmGpu.Kernels.Clusters;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// One thread integrates a small cluster alone, its rows interleaved with those of the warp's other lanes' clusters
/// (the device layout puts row r of lane l's cluster at slot tile + r * warp size + l): the thread takes every
/// warp-size-th slot from its first, so the warp's loads at each step of a pass are one contiguous run.
/// </summary>
public struct LaneInterleaved : IRowPartition
{
    public readonly int FirstRow(int start) => start;
    public readonly int Stride => Warp.WarpSize;
    public readonly double Sum(double partial) => partial;
}

/// <summary>
/// A cluster's rows shared by the lanes of one warp: lane l takes rows start + l, start + l + warp size, ...
/// Sums are combined by a butterfly of XOR shuffles, which leaves every lane with the same bits (each pair of
/// lanes adds the same two numbers) and depends only on the warp size: reproducible run to run, no atomics.
/// </summary>
public struct WarpRowPartition : IRowPartition
{
    public readonly int FirstRow(int start) => start + Warp.LaneIdx;
    public readonly int Stride => Warp.WarpSize;
    public readonly double Sum(double partial) => WarpSum(partial);

    /// <summary>The sum over the warp's lanes, on every lane.</summary>
    public static double WarpSum(double x)
    {
        for (int mask = Warp.WarpSize / 2; mask > 0; mask >>= 1) x += Warp.ShuffleXor(x, mask);
        return x;
    }
}

/// <summary>
/// A cluster's rows shared by all threads of one group (several warps): thread t takes rows start + t,
/// start + t + group size, ... Each warp sums by <see cref="WarpRowPartition.WarpSum"/>, then the warps' sums are
/// added through shared memory in warp order, the same on every thread.
/// </summary>
public struct GroupRowPartition : IRowPartition
{
    /// <summary>Doubles of shared memory the kernel allocates: two slots per warp of the largest group (1024 threads).</summary>
    public const int SharedDoubles = 2 * MaxWarps;
    private const int MaxWarps = 32;

    private readonly ArrayView<double> shared;
    private int parity;

    public GroupRowPartition(ArrayView<double> shared)
    {
        this.shared = shared;
        parity = 0;
    }

    public readonly int FirstRow(int start) => start + Group.IdxX;
    public readonly int Stride => Group.DimX;

    public double Sum(double partial)
    {
        double x = WarpRowPartition.WarpSum(partial);
        int warps = Group.DimX / Warp.WarpSize;
        if (warps == 1) return x;
        // Two slots per warp used alternately: a warp writing the next sum cannot overwrite one that a slower
        // thread is still reading, since the two sit on either side of that next sum's barrier.
        int slot = parity * MaxWarps;
        parity ^= 1;
        if (Warp.LaneIdx == 0) shared[slot + Warp.WarpIdx] = x;
        Group.Barrier();
        double total = 0.0;
        for (int w = 0; w < warps; w++) total += shared[slot + w];
        return total;
    }
}

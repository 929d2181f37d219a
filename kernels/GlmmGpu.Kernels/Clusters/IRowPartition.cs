namespace GlmmGpu.Kernels.Clusters;

/// <summary>
/// How the rows of one cluster are shared among the threads that integrate it together, and how their partial
/// sums are combined. <see cref="ClusterIntegrator"/> is written over this, so the same code runs a cluster on one
/// thread (the CPU path, and small clusters on a GPU) or on a warp or group of GPU threads (large clusters): each
/// thread takes rows FirstRow(start), + Stride, ..., and every sum over rows goes through <see cref="Sum"/>, which
/// must return the same bits on every cooperating thread so that all of them take the same branches.
/// </summary>
public interface IRowPartition
{
    /// <summary>The first row of a cluster starting at row <paramref name="start"/> that this thread handles.</summary>
    int FirstRow(int start);
    /// <summary>Rows between consecutive rows of one thread.</summary>
    int Stride { get; }
    /// <summary>The total of <paramref name="partial"/> over the cooperating threads, identical on each of them.</summary>
    double Sum(double partial);
}

/// <summary>One thread integrates the whole cluster: nothing to combine.</summary>
public struct SingleThread : IRowPartition
{
    public readonly int FirstRow(int start) => start;
    public readonly int Stride => 1;
    public readonly double Sum(double partial) => partial;
}

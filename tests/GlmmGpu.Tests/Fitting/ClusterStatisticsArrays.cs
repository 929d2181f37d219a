using GlmmGpu.Kernels.Linear;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Per-cluster cross-products in plain arrays, as the shared <see cref="CrossProducts.Cluster"/> writes them.</summary>
internal readonly struct ClusterStatisticsArrays(int clusters, int p, int q) : IClusterStatisticsTarget
{
    public double[] ZtWZ { get; } = new double[clusters * q * q];
    public double[] ZtWX { get; } = new double[clusters * q * p];
    public double[] ZtWy { get; } = new double[clusters * q];
    public void SetZtWZ(int index, double value) => ZtWZ[index] = value;
    public void SetZtWX(int index, double value) => ZtWX[index] = value;
    public void SetZtWy(int index, double value) => ZtWy[index] = value;
}

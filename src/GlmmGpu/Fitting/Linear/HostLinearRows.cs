using GlmmGpu.Kernels.Linear;

namespace GlmmGpu.Fitting.Linear;

/// <summary>The linear model's rows on the CPU: <see cref="ILinearRows"/> over the frame's column-major arrays.</summary>
internal readonly struct HostLinearRows(double[] x, double[] z, double[] response, double[] weights, int n, int p, int q) : ILinearRows
{
    public double Weight(int row) => weights[row];

    public double Column(int column, int row)
    {
        if (column < p) return x[(long)column * n + row];
        if (column < p + q) return z[(long)(column - p) * n + row];
        return response[row];
    }
}

/// <summary>The per-cluster cross-products on the CPU, in <see cref="IClusterStatisticsTarget"/>'s layout.</summary>
internal readonly struct HostClusterStatistics(double[] ztwz, double[] ztwx, double[] ztwy) : IClusterStatisticsTarget
{
    public void SetZtWZ(int index, double value) => ztwz[index] = value;
    public void SetZtWX(int index, double value) => ztwx[index] = value;
    public void SetZtWy(int index, double value) => ztwy[index] = value;
}

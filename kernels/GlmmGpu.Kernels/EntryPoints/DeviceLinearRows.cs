using GlmmGpu.Kernels.Linear;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// The linear model's rows on an ILGPU device: <see cref="ILinearRows"/> over ArrayViews, so the kernels run
/// <see cref="CrossProducts"/> itself. X and Z are column-major, as in the model frame.
/// </summary>
public readonly struct DeviceLinearRows : ILinearRows
{
    public readonly ArrayView<double> X;
    public readonly ArrayView<double> ZColumns;
    /// <summary>The response with the offset taken out (LMM) or the pseudo-response less the offset (PQL).</summary>
    public readonly ArrayView<double> Response;
    public readonly ArrayView<double> Weights;
    public readonly int N;
    public readonly int P;
    public readonly int Q;

    public DeviceLinearRows(ArrayView<double> x, ArrayView<double> z, ArrayView<double> response, ArrayView<double> weights, int n, int p, int q)
    {
        X = x; ZColumns = z; Response = response; Weights = weights; N = n; P = p; Q = q;
    }

    public double Weight(int row) => Weights[row];

    public double Column(int column, int row)
    {
        if (column < P) return X[column * N + row];
        if (column < P + Q) return ZColumns[(column - P) * N + row];
        return Response[row];
    }
}

/// <summary>The per-cluster cross-products on the device, in <see cref="IClusterStatisticsTarget"/>'s layout.</summary>
public readonly struct DeviceClusterStatistics : IClusterStatisticsTarget
{
    public readonly ArrayView<double> ZtWZ;
    public readonly ArrayView<double> ZtWX;
    public readonly ArrayView<double> ZtWy;

    public DeviceClusterStatistics(ArrayView<double> ztwz, ArrayView<double> ztwx, ArrayView<double> ztwy)
    {
        ZtWZ = ztwz; ZtWX = ztwx; ZtWy = ztwy;
    }

    public void SetZtWZ(int index, double value) => ZtWZ[index] = value;
    public void SetZtWX(int index, double value) => ZtWX[index] = value;
    public void SetZtWy(int index, double value) => ZtWy[index] = value;
}

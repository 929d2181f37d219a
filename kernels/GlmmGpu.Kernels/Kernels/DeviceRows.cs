using GlmmGpu.Kernels.Clusters;
using ILGPU;

namespace GlmmGpu.Kernels.Kernels;

/// <summary>
/// The cluster integrand's view of the model on an ILGPU device: the same <see cref="IClusterRows"/> contract as
/// the CPU path, over ArrayViews, so the kernels run <see cref="ClusterIntegrator"/> itself and not a copy.
/// Row data and alpha cover every row; scratch covers only the current batch's rows (from <c>ScratchRowBase</c>),
/// which is what batching saves on the device.
/// </summary>
public readonly struct DeviceRows : IClusterRows
{
    /// <summary>x'beta + offset per row.</summary>
    public readonly ArrayView<double> Eta;
    public readonly ArrayView<double> Y;
    public readonly ArrayView<double> W;
    /// <summary>Z by columns: entry (row, column) at <c>column * N + row</c>, as in the model frame.</summary>
    public readonly ArrayView<double> ZColumns;
    public readonly ArrayView<double> AlphaRows;
    /// <summary>Three slots per batch row, interleaved by row as on the CPU.</summary>
    public readonly ArrayView<double> ScratchRows;
    public readonly ArrayView<double> GridPoints;
    public readonly ArrayView<double> GridLogWeights;
    public readonly int N;
    public readonly int Q;
    /// <summary>Global index of the first row of the batch whose scratch <c>ScratchRows</c> holds.</summary>
    public readonly int ScratchRowBase;

    public DeviceRows(ArrayView<double> eta, ArrayView<double> y, ArrayView<double> w, ArrayView<double> z, ArrayView<double> alpha,
        ArrayView<double> scratch, ArrayView<double> gridZ, ArrayView<double> gridLogWeight, int n, int q, int scratchRowBase)
    {
        Eta = eta; Y = y; W = w; ZColumns = z; AlphaRows = alpha; ScratchRows = scratch;
        GridPoints = gridZ; GridLogWeights = gridLogWeight; N = n; Q = q; ScratchRowBase = scratchRowBase;
    }

    /// <summary>The same view with scratch for the batch that starts at global row <paramref name="rowBase"/>.</summary>
    public DeviceRows ForBatch(int rowBase) =>
        new(Eta, Y, W, ZColumns, AlphaRows, ScratchRows, GridPoints, GridLogWeights, N, Q, rowBase);

    public double FixedEta(int row) => Eta[row];
    public double Response(int row) => Y[row];
    public double Weight(int row) => W[row];
    public double Z(int row, int column) => ZColumns[column * N + row];
    public double Alpha(int row) => AlphaRows[row];
    public void SetAlpha(int row, double value) => AlphaRows[row] = value;
    public double Scratch(int slot, int row) => ScratchRows[(row - ScratchRowBase) * 3 + slot];
    public void SetScratch(int slot, int row, double value) => ScratchRows[(row - ScratchRowBase) * 3 + slot] = value;
    public int GridCount => GridLogWeights.IntLength;
    public double GridZ(int point, int dim) => GridPoints[point * Q + dim];
    public double GridLogWeight(int point) => GridLogWeights[point];
}

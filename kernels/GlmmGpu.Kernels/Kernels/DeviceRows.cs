using GlmmGpu.Kernels.Clusters;
using ILGPU;

namespace GlmmGpu.Kernels.Kernels;

/// <summary>
/// The cluster integrand's view of the model on an ILGPU device: the same <see cref="IClusterRows"/> contract as
/// the CPU path, over ArrayViews, so the kernels run <see cref="ClusterIntegrator"/> itself and not a copy.
/// Rows are global indices. Row data and alpha hold rows from <c>DataRowBase</c>: every row when they are resident
/// (base 0), the current batch's when rows are streamed through the device; scratch holds only the current
/// batch's rows (from <c>ScratchRowBase</c>), which is what batching saves on the device.
/// </summary>
public readonly struct DeviceRows : IClusterRows
{
    /// <summary>x'beta + offset per row.</summary>
    public readonly ArrayView<double> Eta;
    public readonly ArrayView<double> Y;
    public readonly ArrayView<double> W;
    /// <summary>Z by columns: entry (row, column) at <c>column * N + row - DataRowBase</c>, as in the model frame.</summary>
    public readonly ArrayView<double> ZColumns;
    public readonly ArrayView<double> AlphaRows;
    /// <summary>Three slots per batch row, interleaved by row as on the CPU.</summary>
    public readonly ArrayView<double> ScratchRows;
    public readonly ArrayView<double> GridPoints;
    public readonly ArrayView<double> GridLogWeights;
    /// <summary>The column stride of Z: rows held per column.</summary>
    public readonly int N;
    public readonly int Q;
    /// <summary>Global index of the first row of the batch whose scratch <c>ScratchRows</c> holds.</summary>
    public readonly int ScratchRowBase;
    /// <summary>Global index of the first row the row data hold.</summary>
    public readonly int DataRowBase;

    public DeviceRows(ArrayView<double> eta, ArrayView<double> y, ArrayView<double> w, ArrayView<double> z, ArrayView<double> alpha,
        ArrayView<double> scratch, ArrayView<double> gridZ, ArrayView<double> gridLogWeight, int n, int q, int scratchRowBase, int dataRowBase)
    {
        Eta = eta; Y = y; W = w; ZColumns = z; AlphaRows = alpha; ScratchRows = scratch;
        GridPoints = gridZ; GridLogWeights = gridLogWeight; N = n; Q = q; ScratchRowBase = scratchRowBase; DataRowBase = dataRowBase;
    }

    /// <summary>The same view for the batch that starts at global row <paramref name="rowBase"/>: its scratch, and its
    /// row data too when <paramref name="streamed"/> (they then hold that batch's rows only).</summary>
    public DeviceRows ForBatch(int rowBase, bool streamed) =>
        new(Eta, Y, W, ZColumns, AlphaRows, ScratchRows, GridPoints, GridLogWeights, N, Q, rowBase, streamed ? rowBase : DataRowBase);

    public double FixedEta(int row) => Eta[row - DataRowBase];
    // A device recomputes e^eta rather than read another array: the kernels are bound by memory, not exp.
    public bool HasExpFixedEta => false;
    public double ExpFixedEta(int row) => 0.0;
    public double Response(int row) => Y[row - DataRowBase];
    public double Weight(int row) => W[row - DataRowBase];
    public double Z(int row, int column) => ZColumns[column * N + row - DataRowBase];
    public double Alpha(int row) => AlphaRows[row - DataRowBase];
    public void SetAlpha(int row, double value) => AlphaRows[row - DataRowBase] = value;
    public double Scratch(int slot, int row) => ScratchRows[(row - ScratchRowBase) * 3 + slot];
    public void SetScratch(int slot, int row, double value) => ScratchRows[(row - ScratchRowBase) * 3 + slot] = value;
    public int GridCount => GridLogWeights.IntLength;
    public double GridZ(int point, int dim) => GridPoints[point * Q + dim];
    public double GridLogWeight(int point) => GridLogWeights[point];
}

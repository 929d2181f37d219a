using GlmmGpu.Kernels.Clusters;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// The cluster integrand's view of the model on an ILGPU device: the same <see cref="IClusterRows"/> contract as
/// the CPU path, over ArrayViews, so the kernels run <see cref="ClusterIntegrator"/> itself and not a copy.
///
/// Row indices are slots of the device layout (<c>SlotLayout</c> on the host), not rows of the model frame: the rows
/// of small clusters are interleaved so that the lanes of a warp, each integrating its own cluster, read neighbouring
/// addresses. Row data (y, w, Z) hold slots from <see cref="DataSlotBase"/>: every slot when resident (base 0), the
/// current batch's when rows are streamed. The work arrays (eta, alpha, three scratch slots) hold the current batch's
/// slots from <see cref="WorkSlotBase"/>, one set per parameter vector; <see cref="ForVector"/> picks a vector's.
/// </summary>
public readonly struct DeviceRows : IClusterRows
{
    /// <summary>x'beta + offset per slot (this vector's).</summary>
    public readonly ArrayView<double> Eta;
    public readonly ArrayView<double> Y;
    public readonly ArrayView<double> W;
    /// <summary>Z by columns: entry (slot, column) at <c>column * DataStride + slot - DataSlotBase</c>.</summary>
    public readonly ArrayView<double> ZColumns;
    public readonly ArrayView<double> AlphaSlots;
    /// <summary>Three scratch columns of <see cref="WorkStride"/> slots each (this vector's).</summary>
    public readonly ArrayView<double> ScratchSlots;
    public readonly ArrayView<double> GridPoints;
    public readonly ArrayView<double> GridLogWeights;
    /// <summary>Slots per column of the row data.</summary>
    public readonly int DataStride;
    /// <summary>Slots per column of one vector's work arrays.</summary>
    public readonly int WorkStride;
    public readonly int Q;
    public readonly int DataSlotBase;
    public readonly int WorkSlotBase;

    public DeviceRows(ArrayView<double> eta, ArrayView<double> y, ArrayView<double> w, ArrayView<double> z, ArrayView<double> alpha,
        ArrayView<double> scratch, ArrayView<double> gridZ, ArrayView<double> gridLogWeight, int dataStride, int workStride, int q,
        int dataSlotBase, int workSlotBase)
    {
        Eta = eta; Y = y; W = w; ZColumns = z; AlphaSlots = alpha; ScratchSlots = scratch;
        GridPoints = gridZ; GridLogWeights = gridLogWeight; DataStride = dataStride; WorkStride = workStride; Q = q;
        DataSlotBase = dataSlotBase; WorkSlotBase = workSlotBase;
    }

    /// <summary>The view of parameter vector <paramref name="vector"/>'s work arrays (eta and alpha: one column each
    /// per vector; scratch: three).</summary>
    public DeviceRows ForVector(int vector) =>
        new(Eta.SubView((long)vector * WorkStride, WorkStride), Y, W, ZColumns, AlphaSlots.SubView((long)vector * WorkStride, WorkStride),
            ScratchSlots.SubView(3L * vector * WorkStride, 3L * WorkStride), GridPoints, GridLogWeights, DataStride, WorkStride, Q,
            DataSlotBase, WorkSlotBase);

    public double FixedEta(int row) => Eta[row - WorkSlotBase];
    public void SetFixedEta(int row, double value) => Eta[row - WorkSlotBase] = value;
    // A device recomputes e^eta rather than read another array: the kernels are bound by memory, not exp.
    public bool HasExpFixedEta => false;
    public double ExpFixedEta(int row) => 0.0;
    public double Response(int row) => Y[row - DataSlotBase];
    public double Weight(int row) => W[row - DataSlotBase];
    public double Z(int row, int column) => ZColumns[column * DataStride + row - DataSlotBase];
    public double Alpha(int row) => AlphaSlots[row - WorkSlotBase];
    public void SetAlpha(int row, double value) => AlphaSlots[row - WorkSlotBase] = value;
    // Slot-major, so that neighbouring lanes' rows are neighbouring addresses in every scratch column.
    public double Scratch(int slot, int row) => ScratchSlots[slot * WorkStride + row - WorkSlotBase];
    public void SetScratch(int slot, int row, double value) => ScratchSlots[slot * WorkStride + row - WorkSlotBase] = value;
    public int GridCount => GridLogWeights.IntLength;
    public double GridZ(int point, int dim) => GridPoints[point * Q + dim];
    public double GridLogWeight(int point) => GridLogWeights[point];
}

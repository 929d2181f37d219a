using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Numerics;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>
/// Everything one evaluation's cluster kernels read and write, passed as one argument. Vector k of the
/// <see cref="Vectors"/> evaluated together has its beta at <c>Betas[k p ..]</c>, its integrand parameters at
/// <c>Parameters[k]</c>, its modes at <c>Modes[k ClusterCount ..]</c> and its work arrays in <see cref="Rows"/>.
/// </summary>
public struct EvaluationViews
{
    /// <summary>Partial sums per block before X'alpha: log-likelihood, dispersion gradient, Lambda gradient's lower triangle (q &lt;= 3).</summary>
    public const int ClusterValues = 8;

    public DeviceRows Rows;
    /// <summary>X by columns in slot order, <c>Rows.DataStride</c> slots a column.</summary>
    public ArrayView<double> X;
    public ArrayView<double> Offset;
    public ArrayView<double> Betas;
    public ArrayView<IntegrandParameters> Parameters;
    /// <summary>Per cluster: its rows, and the slot of its first row.</summary>
    public ArrayView<int> RowCounts;
    public ArrayView<int> SlotStarts;
    public ArrayView<Vec3> Modes;
    /// <summary>Per cluster of the batch, in the batch's order, when <see cref="WriteOutputs"/>.</summary>
    public ArrayView<ClusterOutput> Outputs;
    /// <summary>Value v of vector k from block b at <c>(k Values + v) Blocks + b</c>.</summary>
    public ArrayView<double> Partials;
    public int P;
    public int Vectors;
    public int ClusterCount;
    /// <summary>Blocks of the whole layout (every batch's), per vector.</summary>
    public int Blocks;
    /// <summary><see cref="ClusterValues"/> + P.</summary>
    public int Values;
    // A byte behind a bool property: ILGPU passes only blittable structs to kernels, and bool is not.
    private byte writeOutputs;

    public bool WriteOutputs
    {
        readonly get => writeOutputs != 0;
        set => writeOutputs = value ? (byte)1 : (byte)0;
    }
}

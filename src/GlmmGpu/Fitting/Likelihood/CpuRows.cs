using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GlmmGpu.Kernels.Clusters;

namespace GlmmGpu.Fitting.Likelihood;

/// <summary>The cluster integrand's view of the model frame's arrays on the CPU.</summary>
internal readonly struct CpuRows : IClusterRows
{
    private readonly double[] eta, y, w, z, alpha, scratch, gridZ, gridLogWeight;
    private readonly double[]? expEta;
    private readonly int n, q;

    public CpuRows(double[] eta, double[]? expEta, double[] y, double[] w, double[] z, int q, double[] alpha, double[] scratch, double[] gridZ, double[] gridLogWeight)
    {
        this.eta = eta; this.expEta = expEta; this.y = y; this.w = w; this.z = z; this.q = q;
        this.alpha = alpha; this.scratch = scratch; this.gridZ = gridZ; this.gridLogWeight = gridLogWeight;
        n = y.Length;
    }

    public double FixedEta(int row) => At(eta, row);
    public bool HasExpFixedEta => expEta is not null;
    public double ExpFixedEta(int row) => At(expEta!, row);
    public double Response(int row) => At(y, row);
    public double Weight(int row) => At(w, row);
    public double Z(int row, int column) => At(z, column * n + row);
    public double Alpha(int row) => At(alpha, row);
    public void SetAlpha(int row, double value) => At(alpha, row) = value;
    // Interleaved by row so that a cluster's scratch is one short contiguous run.
    public double Scratch(int slot, int row) => At(scratch, row * 3 + slot);
    public void SetScratch(int slot, int row, double value) => At(scratch, row * 3 + slot) = value;
    /// <summary>Row <paramref name="row"/>'s first scratch slot; its slots and the next rows' follow (3 per row).</summary>
    public ref double ScratchStart(int row) => ref At(scratch, row * 3);
    public int GridCount => gridLogWeight.Length;
    public double GridZ(int point, int dim) => gridZ[point * q + dim];
    public double GridLogWeight(int point) => gridLogWeight[point];

    /// <summary>An element without the bounds check: the integrand's row indices come from the frame's cluster offsets,
    /// which cover [0, n) exactly (ModelFrameBuilder), and the checks were a compare and branch per array per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double At(double[] array, int index)
    {
        Debug.Assert((uint)index < (uint)array.Length);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index);
    }
}

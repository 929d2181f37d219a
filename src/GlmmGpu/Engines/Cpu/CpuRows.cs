using GlmmGpu.Kernels.Clusters;

namespace GlmmGpu.Engines.Cpu;

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

    public double FixedEta(int row) => eta[row];
    public bool HasExpFixedEta => expEta is not null;
    public double ExpFixedEta(int row) => expEta![row];
    public double Response(int row) => y[row];
    public double Weight(int row) => w[row];
    public double Z(int row, int column) => z[column * n + row];
    public double Alpha(int row) => alpha[row];
    public void SetAlpha(int row, double value) => alpha[row] = value;
    // Interleaved by row so that a cluster's scratch is one short contiguous run.
    public double Scratch(int slot, int row) => scratch[row * 3 + slot];
    public void SetScratch(int slot, int row, double value) => scratch[row * 3 + slot] = value;
    /// <summary>The scratch of rows [row, row + count): 3 slots per row, in row order.</summary>
    public Span<double> ScratchOf(int row, int count) => scratch.AsSpan(row * 3, count * 3);
    public int GridCount => gridLogWeight.Length;
    public double GridZ(int point, int dim) => gridZ[point * q + dim];
    public double GridLogWeight(int point) => gridLogWeight[point];
}

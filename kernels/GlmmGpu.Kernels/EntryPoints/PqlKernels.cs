using GlmmGpu.Kernels.Families;
using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>PQL's elementwise steps, one thread per row (the first <c>n</c> threads of the launch): the working update and
/// the new linear predictor; and the change in it, a warp per row block.</summary>
public static class PqlKernels
{
    /// <summary>Rows per partial sum of <see cref="EtaChange"/>; the CPU path sums in the same blocks.</summary>
    public const int RowBlock = 4096;

    /// <summary>
    /// Pseudo-response (less the offset: the linear model is fitted without it) and working weight of a row,
    /// through <see cref="IRowLikelihood.Working"/>, the method the CPU path calls too.
    /// </summary>
    public static void WorkingUpdate<TModel>(int n, ArrayView<double> y, ArrayView<double> w, ArrayView<double> eta,
        ArrayView<double> offset, double phi, ArrayView<double> response, ArrayView<double> weight)
        where TModel : struct, IRowLikelihood
    {
        int row = Grid.GlobalIndex.X;
        if (row >= n) return;
        default(TModel).Working(y[row], w[row], eta[row], phi, out double z, out double wt);
        response[row] = z - offset[row];
        weight[row] = wt;
    }

    /// <summary>
    /// eta = offset + X beta + Z b[level of the row], into <paramref name="eta"/>; the terms are added in the CPU
    /// path's order (offset, X's columns, Z's columns) so both round alike. <paramref name="modes"/> holds q
    /// entries per level.
    /// </summary>
    public static void UpdateEta(DeviceLinearRows rows, ArrayView<double> offset, ArrayView<double> beta,
        ArrayView<int> levelOfRow, ArrayView<double> modes, ArrayView<double> eta)
    {
        int n = rows.N, p = rows.P, q = rows.Q;
        int row = Grid.GlobalIndex.X;
        if (row >= n) return;
        double e = offset[row];
        for (int a = 0; a < p; a++) e += rows.X[a * n + row] * beta[a];
        int at = levelOfRow[row] * q;
        for (int d = 0; d < q; d++) e += rows.ZColumns[d * n + row] * modes[at + d];
        eta[row] = e;
    }

    /// <summary>
    /// glmmPQL's convergence sums in partials: warp t of <paramref name="blocks"/> adds (eta - old)^2 and eta^2 over row
    /// block t into <c>partials[3t]</c> and <c>partials[3t + 1]</c>, and the block's largest |eta - old| into
    /// <c>partials[3t + 2]</c>; the host adds the blocks in order. The lanes read 32 rows side by side, and each lane adds
    /// them in row order from the shuffles, as the CPU path does.
    /// </summary>
    public static void EtaChange(ArrayView<double> old, ArrayView<double> eta, int n, int blockSize, int blocks, ArrayView<double> partials)
    {
        int t = Grid.GlobalIndex.X / Warp.WarpSize;
        if (t >= blocks) return;
        int start = t * blockSize;
        int end = start + blockSize < n ? start + blockSize : n;
        double change = 0.0, size = 0.0, largest = 0.0;
        for (int chunk = start; chunk < end; chunk += Warp.WarpSize)
        {
            int i = chunk + Warp.LaneIdx;
            double e = i < end ? eta[i] : 0.0, delta = i < end ? e - old[i] : 0.0;
            int here = end - chunk < Warp.WarpSize ? end - chunk : Warp.WarpSize;
            for (int j = 0; j < here; j++)
            {
                double ej = Warp.Shuffle(e, j), dj = Warp.Shuffle(delta, j);
                change += dj * dj;
                size += ej * ej;
                double magnitude = dj < 0 ? -dj : dj;
                if (magnitude > largest) largest = magnitude;
            }
        }
        if (Warp.LaneIdx != 0) return;
        partials[3 * t] = change;
        partials[3 * t + 1] = size;
        partials[3 * t + 2] = largest;
    }
}

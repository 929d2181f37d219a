using ILGPU;

namespace GlmmGpu.Kernels.Kernels;

/// <summary>The fixed part of the linear predictor, one thread per row.</summary>
public static class PredictorKernels
{
    /// <summary>
    /// eta_i = offset_i + sum_k X[i, k] beta_k, accumulated column by column as the CPU path's MultiplyAdd does,
    /// so both engines round the same way. X is column-major (entry (i, k) at <c>k * n + i</c>).
    /// </summary>
    public static void FixedPredictor(Index1D row, ArrayView<double> x, ArrayView<double> offset, ArrayView<double> beta, int n, int p, ArrayView<double> eta)
    {
        double e = offset[row];
        for (int k = 0; k < p; k++) e = x[k * n + row] * beta[k] + e;
        eta[row] = e;
    }
}

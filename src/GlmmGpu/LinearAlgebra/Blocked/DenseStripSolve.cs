using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The blocked Cholesky's panel below its diagonal block, X = A21 L11^-T, solved on the panel held transposed (panel
/// column j as a row over the matrix's rows) so that one vector holds many matrix rows: rows are taken 32 at a time,
/// and each entry is its own chain of fused multiply-adds over the columns before it, then divided by the diagonal,
/// in every path (the result does not depend on the hardware or the threads).
/// </summary>
public static class DenseStripSolve
{
    /// <summary>Matrix rows solved together; the panel's stride is a multiple of it.</summary>
    public const int RowsPerChunk = 32;

    /// <summary>
    /// Solves x L11' = a for every matrix row in [<paramref name="start"/>, <paramref name="stride"/>): x_j = (a_j -
    /// sum_{k &lt; j} L11[j, k] x_k) / L11[j, j], a_j at <c>panel[j stride + row]</c> and L11[j, k] at
    /// <c>l[(k0 + j) n + k0 + k]</c>. <paramref name="start"/> and <paramref name="stride"/> are multiples of
    /// <see cref="RowsPerChunk"/>; rows past the matrix hold zeros and stay zero.
    /// </summary>
    public static void Solve(double[] l, int n, int k0, int width, double[] panel, int stride, int start, ParallelOptions parallel,
        TilePath path = TilePath.Best)
    {
        if (path == TilePath.Best) path = DenseTileKernel.BestPath;
        int chunks = (stride - start) / RowsPerChunk;
        Parallel.For(0, chunks, parallel, chunk => SolveChunk(l, n, k0, width, panel, stride, start + chunk * RowsPerChunk, path));
    }

    private static void SolveChunk(double[] l, int n, int k0, int width, double[] panel, int stride, int row0, TilePath path)
    {
        ref double p = ref panel[row0];
        for (int j = 0; j < width; j++)
        {
            ref double lj = ref l[(long)(k0 + j) * n + k0];
            double diagonal = Unsafe.Add(ref lj, j);
            ref double xj = ref Unsafe.Add(ref p, j * stride);
            switch (path)
            {
                case TilePath.Vector512:
                {
                    var s0 = Vector512.LoadUnsafe(ref xj); var s1 = Vector512.LoadUnsafe(ref xj, 8);
                    var s2 = Vector512.LoadUnsafe(ref xj, 16); var s3 = Vector512.LoadUnsafe(ref xj, 24);
                    for (int k = 0; k < j; k++)
                    {
                        var f = Vector512.Create(-Unsafe.Add(ref lj, k));
                        ref double xk = ref Unsafe.Add(ref p, k * stride);
                        s0 = Vector512.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref xk), s0);
                        s1 = Vector512.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref xk, 8), s1);
                        s2 = Vector512.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref xk, 16), s2);
                        s3 = Vector512.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref xk, 24), s3);
                    }
                    var d = Vector512.Create(diagonal);
                    (s0 / d).StoreUnsafe(ref xj); (s1 / d).StoreUnsafe(ref xj, 8);
                    (s2 / d).StoreUnsafe(ref xj, 16); (s3 / d).StoreUnsafe(ref xj, 24);
                    break;
                }
                case TilePath.Vector256:
                    for (int half = 0; half < RowsPerChunk; half += 16)
                    {
                        ref double xh = ref Unsafe.Add(ref xj, half);
                        var s0 = Vector256.LoadUnsafe(ref xh); var s1 = Vector256.LoadUnsafe(ref xh, 4);
                        var s2 = Vector256.LoadUnsafe(ref xh, 8); var s3 = Vector256.LoadUnsafe(ref xh, 12);
                        for (int k = 0; k < j; k++)
                        {
                            var f = Vector256.Create(-Unsafe.Add(ref lj, k));
                            ref double xk = ref Unsafe.Add(ref p, k * stride + half);
                            s0 = Vector256.FusedMultiplyAdd(f, Vector256.LoadUnsafe(ref xk), s0);
                            s1 = Vector256.FusedMultiplyAdd(f, Vector256.LoadUnsafe(ref xk, 4), s1);
                            s2 = Vector256.FusedMultiplyAdd(f, Vector256.LoadUnsafe(ref xk, 8), s2);
                            s3 = Vector256.FusedMultiplyAdd(f, Vector256.LoadUnsafe(ref xk, 12), s3);
                        }
                        var d = Vector256.Create(diagonal);
                        (s0 / d).StoreUnsafe(ref xh); (s1 / d).StoreUnsafe(ref xh, 4);
                        (s2 / d).StoreUnsafe(ref xh, 8); (s3 / d).StoreUnsafe(ref xh, 12);
                    }
                    break;
                default:
                    for (int r = 0; r < RowsPerChunk; r++)
                    {
                        double s = Unsafe.Add(ref xj, r);
                        for (int k = 0; k < j; k++) s = Math.FusedMultiplyAdd(-Unsafe.Add(ref lj, k), Unsafe.Add(ref p, k * stride + r), s);
                        Unsafe.Add(ref xj, r) = s / diagonal;
                    }
                    break;
            }
        }
    }
}

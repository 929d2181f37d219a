using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// (L L')^-1 from a dense lower Cholesky factor (n by n, row-major): W = L^-1 by row blocks, each block's product with
/// the rows above it in 4-by-8 register tiles, then W'W in the same tiles. Both products read each loaded vector of W
/// for four rows, where row-at-a-time updates read all of W once per row.
/// </summary>
public static class DenseInverse
{
    private const int Block = 64;

    /// <summary>(L L')^-1, both triangles, row-major (a new array).</summary>
    public static double[] FromCholesky(double[] l, int n, ParallelOptions parallel)
    {
        var w = InverseLower(l, n, parallel);
        return TransposeTimesSelf(w, n, parallel);
    }

    /// <summary>W = L^-1 (lower, row-major, a new array): row i is (e_i - sum_{k &lt; i} L[i,k] W[k,:]) / L[i,i], the
    /// sum over earlier row blocks taken as one tiled product per block.</summary>
    public static double[] InverseLower(double[] l, int n, ParallelOptions parallel)
    {
        var w = new double[(long)n * n];
        for (int i0 = 0; i0 < n; i0 += Block)
        {
            int i1 = Math.Min(n, i0 + Block);
            if (i0 > 0)
            {
                // W[i, 0:i0] = -sum_{k < i0} L[i, k] W[k, 0:i0] for the block's rows, four rows at a time.
                int groups = (i1 - i0 + 3) / 4;
                Parallel.For(0, groups, parallel, g =>
                {
                    int r0 = i0 + 4 * g, rows = Math.Min(4, i1 - r0);
                    int j = 0;
                    if (rows == 4 && Vector256.IsHardwareAccelerated)
                        for (; j + 8 <= i0; j += 8) LowerTile(l, w, n, r0, j, i0);
                    for (int i = r0; i < r0 + rows; i++)
                        for (int jj = j; jj < i0; jj++)
                        {
                            double s = 0;
                            for (int k = jj; k < i0; k++) s += l[(long)i * n + k] * w[(long)k * n + jj];
                            w[(long)i * n + jj] = -s;
                        }
                });
            }
            // Within the block, row by row: the block's earlier rows, then the diagonal.
            for (int i = i0; i < i1; i++)
            {
                var row = w.AsSpan(i * n, i + 1);
                row[i] = 1.0;
                for (int k = i0; k < i; k++)
                {
                    double lik = l[(long)i * n + k];
                    if (lik == 0) continue;
                    var source = w.AsSpan(k * n, k + 1);
                    TensorPrimitives.MultiplyAdd(source, -lik, row[..(k + 1)], row[..(k + 1)]);
                }
                TensorPrimitives.Multiply(row, 1.0 / l[(long)i * n + i], row);
            }
        }
        return w;
    }

    /// <summary>W'W for lower W: entry (a, b) = sum_{i >= max(a, b)} W[i, a] W[i, b]; both triangles written.</summary>
    public static double[] TransposeTimesSelf(double[] w, int n, ParallelOptions parallel)
    {
        var result = new double[(long)n * n];
        int groups = (n + 3) / 4;
        Parallel.For(0, groups, parallel, g =>
        {
            int a0 = 4 * g, rows = Math.Min(4, n - a0);
            int b = 0;
            if (rows == 4 && Vector256.IsHardwareAccelerated)
                for (; b + 8 <= a0 + 4; b += 8) GramTile(w, result, n, a0, b);
            for (int a = a0; a < a0 + rows; a++)
                for (int bb = b; bb <= a; bb++)
                {
                    double s = 0;
                    for (int i = a; i < n; i++) s += w[(long)i * n + a] * w[(long)i * n + bb];
                    result[(long)a * n + bb] = s;
                }
        });
        for (int a = 0; a < n; a++)
            for (int b = 0; b < a; b++) result[(long)b * n + a] = result[(long)a * n + b];
        return result;
    }

    /// <summary>W[r0..r0+3, j..j+7] = -sum_{k in [j, end)} L[r, k] W[k, j..j+7] (W[k, j'] is zero for k &lt; j').</summary>
    private static void LowerTile(double[] l, double[] w, int n, int r0, int j, int end)
    {
        ref double lw = ref MemoryMarshal.GetArrayDataReference(l);
        ref double ww = ref MemoryMarshal.GetArrayDataReference(w);
        nuint n0 = (nuint)((long)r0 * n), n1 = n0 + (nuint)n, n2 = n1 + (nuint)n, n3 = n2 + (nuint)n;
        var s00 = Vector256<double>.Zero; var s01 = Vector256<double>.Zero;
        var s10 = Vector256<double>.Zero; var s11 = Vector256<double>.Zero;
        var s20 = Vector256<double>.Zero; var s21 = Vector256<double>.Zero;
        var s30 = Vector256<double>.Zero; var s31 = Vector256<double>.Zero;
        for (int k = j; k < end; k++)
        {
            nuint at = (nuint)((long)k * n + j);
            var v0 = Vector256.LoadUnsafe(ref ww, at);
            var v1 = Vector256.LoadUnsafe(ref ww, at + 4);
            var b0 = Vector256.Create(Unsafe.Add(ref lw, n0 + (nuint)k));
            var b1 = Vector256.Create(Unsafe.Add(ref lw, n1 + (nuint)k));
            var b2 = Vector256.Create(Unsafe.Add(ref lw, n2 + (nuint)k));
            var b3 = Vector256.Create(Unsafe.Add(ref lw, n3 + (nuint)k));
            s00 = Vector256.FusedMultiplyAdd(b0, v0, s00); s01 = Vector256.FusedMultiplyAdd(b0, v1, s01);
            s10 = Vector256.FusedMultiplyAdd(b1, v0, s10); s11 = Vector256.FusedMultiplyAdd(b1, v1, s11);
            s20 = Vector256.FusedMultiplyAdd(b2, v0, s20); s21 = Vector256.FusedMultiplyAdd(b2, v1, s21);
            s30 = Vector256.FusedMultiplyAdd(b3, v0, s30); s31 = Vector256.FusedMultiplyAdd(b3, v1, s31);
        }
        Store(w, n0 + (nuint)j, -s00, -s01);
        Store(w, n1 + (nuint)j, -s10, -s11);
        Store(w, n2 + (nuint)j, -s20, -s21);
        Store(w, n3 + (nuint)j, -s30, -s31);
    }

    /// <summary>result[a0..a0+3, b..b+7] = sum_{i >= a0} W[i, a] W[i, b..b+7] (zero terms where i &lt; a are zero in W;
    /// entries above the diagonal are written and later overwritten by the mirror).</summary>
    private static void GramTile(double[] w, double[] result, int n, int a0, int b)
    {
        ref double ww = ref MemoryMarshal.GetArrayDataReference(w);
        var s00 = Vector256<double>.Zero; var s01 = Vector256<double>.Zero;
        var s10 = Vector256<double>.Zero; var s11 = Vector256<double>.Zero;
        var s20 = Vector256<double>.Zero; var s21 = Vector256<double>.Zero;
        var s30 = Vector256<double>.Zero; var s31 = Vector256<double>.Zero;
        for (int i = a0; i < n; i++)
        {
            nuint row = (nuint)((long)i * n);
            var v0 = Vector256.LoadUnsafe(ref ww, row + (nuint)b);
            var v1 = Vector256.LoadUnsafe(ref ww, row + (nuint)b + 4);
            var c0 = Vector256.Create(Unsafe.Add(ref ww, row + (nuint)a0));
            var c1 = Vector256.Create(Unsafe.Add(ref ww, row + (nuint)a0 + 1));
            var c2 = Vector256.Create(Unsafe.Add(ref ww, row + (nuint)a0 + 2));
            var c3 = Vector256.Create(Unsafe.Add(ref ww, row + (nuint)a0 + 3));
            s00 = Vector256.FusedMultiplyAdd(c0, v0, s00); s01 = Vector256.FusedMultiplyAdd(c0, v1, s01);
            s10 = Vector256.FusedMultiplyAdd(c1, v0, s10); s11 = Vector256.FusedMultiplyAdd(c1, v1, s11);
            s20 = Vector256.FusedMultiplyAdd(c2, v0, s20); s21 = Vector256.FusedMultiplyAdd(c2, v1, s21);
            s30 = Vector256.FusedMultiplyAdd(c3, v0, s30); s31 = Vector256.FusedMultiplyAdd(c3, v1, s31);
        }
        nuint r0 = (nuint)((long)a0 * n + b);
        Store(result, r0, s00, s01);
        Store(result, r0 + (nuint)n, s10, s11);
        Store(result, r0 + 2 * (nuint)n, s20, s21);
        Store(result, r0 + 3 * (nuint)n, s30, s31);
    }

    private static void Store(double[] target, nuint at, Vector256<double> low, Vector256<double> high)
    {
        ref double t = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(target), at);
        low.StoreUnsafe(ref t);
        high.StoreUnsafe(ref t, 4);
    }
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The dense lower-triangular algebra of the blocked Cholesky's trailing block (MixedModels.jl's dense diagonal
/// blocks): an n-by-n matrix row-major in a flat array, its lower triangle used. The factorisation is tiled so that
/// a panel of columns is read from cache for the whole trailing update rather than once per row.
/// </summary>
public static class DenseLower
{
    private const int Panel = 64;

    /// <summary>A = L L' in place (the lower triangle of <paramref name="a"/> becomes L); false if A is not positive
    /// definite.</summary>
    public static bool Cholesky(double[] a, int n, ParallelOptions parallel)
    {
        var panel = new double[Panel * n];
        for (int k0 = 0; k0 < n; k0 += Panel)
        {
            int k1 = Math.Min(n, k0 + Panel), width = k1 - k0;
            // The diagonal block, already updated by the panels before it.
            for (int j = k0; j < k1; j++)
            {
                double d = a[(long)j * n + j];
                for (int k = k0; k < j; k++) d -= a[(long)j * n + k] * a[(long)j * n + k];
                if (!(d > 0) || !double.IsFinite(d)) return false;
                double ljj = Math.Sqrt(d);
                a[(long)j * n + j] = ljj;
                for (int i = j + 1; i < k1; i++)
                {
                    double s = a[(long)i * n + j];
                    for (int k = k0; k < j; k++) s -= a[(long)i * n + k] * a[(long)j * n + k];
                    a[(long)i * n + j] = s / ljj;
                }
            }
            if (k1 == n) break;
            // The panel below it: L[i, k0:k1] = A[i, k0:k1] L_kk^-T, row by row.
            Parallel.For(k1, n, parallel, i =>
            {
                long row = (long)i * n;
                for (int j = k0; j < k1; j++)
                {
                    double s = a[row + j] - TensorPrimitives.Dot(a.AsSpan((int)(row + k0), j - k0), a.AsSpan(j * n + k0, j - k0));
                    a[row + j] = s / a[(long)j * n + j];
                }
            });
            // The panel transposed (column k of the panel contiguous over rows), so the update reads it by rows of j.
            for (int i = k1; i < n; i++)
                for (int k = 0; k < width; k++) panel[(long)k * n + i] = a[(long)i * n + k0 + k];
            // The trailing update A[i, k1..i] -= sum_k L[i,k] L[j,k], four rows of i at a time.
            int groups = (n - k1 + 3) / 4;
            Parallel.For(0, groups, parallel, g =>
            {
                int i0 = k1 + 4 * g, rows = Math.Min(4, n - i0);
                if (rows == 4) UpdateFourRows(a, n, panel, width, k1, i0);
                else
                    for (int i = i0; i < i0 + rows; i++) UpdateRow(a, n, panel, width, k1, i);
            });
        }
        return true;
    }

    private static void UpdateRow(double[] a, int n, double[] panel, int width, int k1, int i)
    {
        long row = (long)i * n;
        for (int k = 0; k < width; k++)
        {
            double lik = panel[(long)k * n + i];
            if (lik == 0) continue;
            long p = (long)k * n;
            for (int j = k1; j <= i; j++) a[row + j] -= lik * panel[p + j];
        }
    }

    /// <summary>Rows i0..i0+3 together, eight columns at a time: each panel entry L[j,k] is loaded once for four rows,
    /// and each row's L[i,k] once for eight columns.</summary>
    private static void UpdateFourRows(double[] a, int n, double[] panel, int width, int k1, int i0)
    {
        long r0 = (long)i0 * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        int last = i0 + 3;
        int j = k1;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double start = ref MemoryMarshal.GetArrayDataReference(panel);
            for (; j + 8 <= last + 1; j += 8)
            {
                var s00 = Vector256<double>.Zero; var s01 = Vector256<double>.Zero;
                var s10 = Vector256<double>.Zero; var s11 = Vector256<double>.Zero;
                var s20 = Vector256<double>.Zero; var s21 = Vector256<double>.Zero;
                var s30 = Vector256<double>.Zero; var s31 = Vector256<double>.Zero;
                for (int k = 0; k < width; k++)
                {
                    nuint p = (nuint)((long)k * n);
                    var l0 = Vector256.LoadUnsafe(ref start, p + (nuint)j);
                    var l1 = Vector256.LoadUnsafe(ref start, p + (nuint)j + 4);
                    var b0 = Vector256.Create(Unsafe.Add(ref start, p + (nuint)i0));
                    var b1 = Vector256.Create(Unsafe.Add(ref start, p + (nuint)i0 + 1));
                    var b2 = Vector256.Create(Unsafe.Add(ref start, p + (nuint)i0 + 2));
                    var b3 = Vector256.Create(Unsafe.Add(ref start, p + (nuint)i0 + 3));
                    s00 = Vector256.FusedMultiplyAdd(b0, l0, s00); s01 = Vector256.FusedMultiplyAdd(b0, l1, s01);
                    s10 = Vector256.FusedMultiplyAdd(b1, l0, s10); s11 = Vector256.FusedMultiplyAdd(b1, l1, s11);
                    s20 = Vector256.FusedMultiplyAdd(b2, l0, s20); s21 = Vector256.FusedMultiplyAdd(b2, l1, s21);
                    s30 = Vector256.FusedMultiplyAdd(b3, l0, s30); s31 = Vector256.FusedMultiplyAdd(b3, l1, s31);
                }
                Subtract(a, r0 + j, s00, s01);
                Subtract(a, r1 + j, s10, s11);
                Subtract(a, r2 + j, s20, s21);
                Subtract(a, r3 + j, s30, s31);
            }
        }
        for (; j <= last; j++)
        {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int k = 0; k < width; k++)
            {
                long p = (long)k * n;
                double l = panel[p + j];
                s0 += panel[p + i0] * l;
                s1 += panel[p + i0 + 1] * l;
                s2 += panel[p + i0 + 2] * l;
                s3 += panel[p + i0 + 3] * l;
            }
            a[r0 + j] -= s0;
            a[r1 + j] -= s1;
            a[r2 + j] -= s2;
            a[r3 + j] -= s3;
        }
    }

    /// <summary>a[at..at+8] -= (low, high) (entries above the diagonal are written too, and never read).</summary>
    private static void Subtract(double[] a, long at, Vector256<double> low, Vector256<double> high)
    {
        ref double target = ref a[at];
        (Vector256.LoadUnsafe(ref target) - low).StoreUnsafe(ref target);
        (Vector256.LoadUnsafe(ref target, 4) - high).StoreUnsafe(ref target, 4);
    }

    /// <summary>Solves L X = B in place for <paramref name="columns"/> right-hand sides (B row-major n by columns).</summary>
    public static void SolveLower(double[] l, int n, double[] b, int columns)
    {
        for (int i = 0; i < n; i++)
        {
            long row = (long)i * n;
            for (int c = 0; c < columns; c++)
            {
                double s = b[(long)i * columns + c];
                for (int k = 0; k < i; k++) s -= l[row + k] * b[(long)k * columns + c];
                b[(long)i * columns + c] = s / l[row + i];
            }
        }
    }

    /// <summary>Solves L' x = b in place.</summary>
    public static void SolveLowerTransposed(double[] l, int n, Span<double> b)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = b[i] / l[(long)i * n + i];
            b[i] = xi;
            long row = (long)i * n;
            for (int k = 0; k < i; k++) b[k] -= l[row + k] * xi;
        }
    }

    /// <summary>2 sum log L_ii: log |L L'|.</summary>
    public static double LogDeterminant(double[] l, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.Log(l[(long)i * n + i]);
        return 2 * s;
    }
}

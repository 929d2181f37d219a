using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// Many sums of (w u_a) v_b over the same rows at once, each still added in row order (so each rounds exactly as
/// <c>CrossProducts.Weighted</c> does), with SIMD lanes across the columns v_b rather than across rows: 8 rows
/// of up to 8 columns are transposed into row vectors, and each row adds (w u_a) times its row vector to
/// accumulator a. For the global entries (6 left and 6 right columns with 5 fixed effects) this does in one
/// multiply and one add per row and accumulator what the scalar loop does in 6 of each.
/// </summary>
internal static class RowOrderLanes
{
    public const int Width = 8;

    public static bool Applies(int left, int right) => Avx512F.IsSupported && left <= Width && right <= Width;

    /// <summary>sums[a * right.Length + b] = sum over rows [start, end) of (w u_a) v_b, u_a = column left[a],
    /// v_b = column right[b], each sum in row order.</summary>
    /// <remarks>The loop calls nothing: every vector register is caller-saved on x64 Linux, so one call would
    /// put the accumulators in memory. Hence the columns as references fetched up front and the written-out
    /// transpose.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sums(in HostLinearRows rows, int start, int end, ReadOnlySpan<int> left, ReadOnlySpan<int> right, Span<double> sums)
    {
        int length = end - start, lefts = left.Length, rights = right.Length;
        if (length == 0 || lefts == 0 || rights == 0)
        {
            sums[..(lefts * rights)].Clear();
            return;
        }
        ref double w = ref MemoryMarshal.GetReference(rows.Weights(start, length));
        // Columns past the last are the first column again: their lanes are computed and never read.
        ref double u0 = ref Column(rows, left, 0, start, length);
        ref double u1 = ref Column(rows, left, 1, start, length);
        ref double u2 = ref Column(rows, left, 2, start, length);
        ref double u3 = ref Column(rows, left, 3, start, length);
        ref double u4 = ref Column(rows, left, 4, start, length);
        ref double u5 = ref Column(rows, left, 5, start, length);
        ref double u6 = ref Column(rows, left, 6, start, length);
        ref double u7 = ref Column(rows, left, 7, start, length);
        ref double v0 = ref Column(rows, right, 0, start, length);
        ref double v1 = ref Column(rows, right, 1, start, length);
        ref double v2 = ref Column(rows, right, 2, start, length);
        ref double v3 = ref Column(rows, right, 3, start, length);
        ref double v4 = ref Column(rows, right, 4, start, length);
        ref double v5 = ref Column(rows, right, 5, start, length);
        ref double v6 = ref Column(rows, right, 6, start, length);
        ref double v7 = ref Column(rows, right, 7, start, length);
        var acc0 = Vector512<double>.Zero;
        var acc1 = Vector512<double>.Zero;
        var acc2 = Vector512<double>.Zero;
        var acc3 = Vector512<double>.Zero;
        var acc4 = Vector512<double>.Zero;
        var acc5 = Vector512<double>.Zero;
        var acc6 = Vector512<double>.Zero;
        var acc7 = Vector512<double>.Zero;
        // Row k's w u_a at [a * Width + k], read back one at a time as a broadcast; row k's right-hand columns.
        Span<double> weighted = stackalloc double[Width * Width];
        Span<Vector512<double>> block = stackalloc Vector512<double>[Width];
        ref double wu = ref MemoryMarshal.GetReference(weighted);
        for (int i = 0; i < length; i += Width)
        {
            int count = Math.Min(Width, length - i);
            if (count == Width)
            {
                var wv = Vector512.LoadUnsafe(ref w, (nuint)i);
                (wv * Vector512.LoadUnsafe(ref u0, (nuint)i)).StoreUnsafe(ref wu, 0);
                (wv * Vector512.LoadUnsafe(ref u1, (nuint)i)).StoreUnsafe(ref wu, Width);
                (wv * Vector512.LoadUnsafe(ref u2, (nuint)i)).StoreUnsafe(ref wu, 2 * Width);
                (wv * Vector512.LoadUnsafe(ref u3, (nuint)i)).StoreUnsafe(ref wu, 3 * Width);
                (wv * Vector512.LoadUnsafe(ref u4, (nuint)i)).StoreUnsafe(ref wu, 4 * Width);
                (wv * Vector512.LoadUnsafe(ref u5, (nuint)i)).StoreUnsafe(ref wu, 5 * Width);
                (wv * Vector512.LoadUnsafe(ref u6, (nuint)i)).StoreUnsafe(ref wu, 6 * Width);
                (wv * Vector512.LoadUnsafe(ref u7, (nuint)i)).StoreUnsafe(ref wu, 7 * Width);
                // 8 x 8 transpose: columns' 8 rows in, rows' 8 columns out. Unpack pairs of columns, then take
                // 128-bit lanes (0, 2) and (1, 3) of pairs twice over.
                var c0 = Vector512.LoadUnsafe(ref v0, (nuint)i);
                var c1 = Vector512.LoadUnsafe(ref v1, (nuint)i);
                var c2 = Vector512.LoadUnsafe(ref v2, (nuint)i);
                var c3 = Vector512.LoadUnsafe(ref v3, (nuint)i);
                var c4 = Vector512.LoadUnsafe(ref v4, (nuint)i);
                var c5 = Vector512.LoadUnsafe(ref v5, (nuint)i);
                var c6 = Vector512.LoadUnsafe(ref v6, (nuint)i);
                var c7 = Vector512.LoadUnsafe(ref v7, (nuint)i);
                var t0 = Avx512F.UnpackLow(c0, c1);
                var t1 = Avx512F.UnpackHigh(c0, c1);
                var t2 = Avx512F.UnpackLow(c2, c3);
                var t3 = Avx512F.UnpackHigh(c2, c3);
                var t4 = Avx512F.UnpackLow(c4, c5);
                var t5 = Avx512F.UnpackHigh(c4, c5);
                var t6 = Avx512F.UnpackLow(c6, c7);
                var t7 = Avx512F.UnpackHigh(c6, c7);
                var s0 = Avx512F.Shuffle4x128(t0, t2, 0x88);
                var s1 = Avx512F.Shuffle4x128(t0, t2, 0xDD);
                var s2 = Avx512F.Shuffle4x128(t1, t3, 0x88);
                var s3 = Avx512F.Shuffle4x128(t1, t3, 0xDD);
                var s4 = Avx512F.Shuffle4x128(t4, t6, 0x88);
                var s5 = Avx512F.Shuffle4x128(t4, t6, 0xDD);
                var s6 = Avx512F.Shuffle4x128(t5, t7, 0x88);
                var s7 = Avx512F.Shuffle4x128(t5, t7, 0xDD);
                block[0] = Avx512F.Shuffle4x128(s0, s4, 0x88);
                block[4] = Avx512F.Shuffle4x128(s0, s4, 0xDD);
                block[2] = Avx512F.Shuffle4x128(s1, s5, 0x88);
                block[6] = Avx512F.Shuffle4x128(s1, s5, 0xDD);
                block[1] = Avx512F.Shuffle4x128(s2, s6, 0x88);
                block[5] = Avx512F.Shuffle4x128(s2, s6, 0xDD);
                block[3] = Avx512F.Shuffle4x128(s3, s7, 0x88);
                block[7] = Avx512F.Shuffle4x128(s3, s7, 0xDD);
            }
            else
            {
                // The last rows, one at a time, as a full group's lanes would hold them.
                for (int k = 0; k < count; k++)
                {
                    nint r = i + k;
                    block[k] = Vector512.Create(Unsafe.Add(ref v0, r), Unsafe.Add(ref v1, r), Unsafe.Add(ref v2, r), Unsafe.Add(ref v3, r),
                        Unsafe.Add(ref v4, r), Unsafe.Add(ref v5, r), Unsafe.Add(ref v6, r), Unsafe.Add(ref v7, r));
                    double wr = Unsafe.Add(ref w, r);
                    weighted[k] = wr * Unsafe.Add(ref u0, r);
                    weighted[Width + k] = wr * Unsafe.Add(ref u1, r);
                    weighted[2 * Width + k] = wr * Unsafe.Add(ref u2, r);
                    weighted[3 * Width + k] = wr * Unsafe.Add(ref u3, r);
                    weighted[4 * Width + k] = wr * Unsafe.Add(ref u4, r);
                    weighted[5 * Width + k] = wr * Unsafe.Add(ref u5, r);
                    weighted[6 * Width + k] = wr * Unsafe.Add(ref u6, r);
                    weighted[7 * Width + k] = wr * Unsafe.Add(ref u7, r);
                }
            }
            for (int k = 0; k < count; k++)
            {
                var row = block[k];
                acc0 += Vector512.Create(weighted[k]) * row;
                if (lefts > 1) acc1 += Vector512.Create(weighted[Width + k]) * row;
                if (lefts > 2) acc2 += Vector512.Create(weighted[2 * Width + k]) * row;
                if (lefts > 3) acc3 += Vector512.Create(weighted[3 * Width + k]) * row;
                if (lefts > 4) acc4 += Vector512.Create(weighted[4 * Width + k]) * row;
                if (lefts > 5) acc5 += Vector512.Create(weighted[5 * Width + k]) * row;
                if (lefts > 6) acc6 += Vector512.Create(weighted[6 * Width + k]) * row;
                if (lefts > 7) acc7 += Vector512.Create(weighted[7 * Width + k]) * row;
            }
        }
        Span<Vector512<double>> accumulators = [acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7];
        for (int a = 0; a < lefts; a++)
            for (int b = 0; b < rights; b++) sums[a * rights + b] = accumulators[a].GetElement(b);
    }

    /// <summary>Rows [start, start + length) of column columns[k], or of columns[0] past the last column.</summary>
    private static ref double Column(in HostLinearRows rows, ReadOnlySpan<int> columns, int k, int start, int length) =>
        ref MemoryMarshal.GetReference(rows.Span(columns[k < columns.Length ? k : 0], start, length));
}

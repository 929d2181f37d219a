using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GlmmGpu.LinearAlgebra;

/// <summary>
/// SIMD sums of products whose rounding depends only on the numbers: element i goes to lane i mod 16, each
/// lane is a sequential sum, and the lanes are added in a fixed tree. TensorPrimitives' reductions start their
/// vector loop at an aligned address, so their result changes with where the GC placed the array, which would
/// make fits differ from run to run; here the result is the same for any alignment and for 512-bit, 256-bit or
/// no SIMD.
/// </summary>
internal static class ReproducibleDot
{
    private const int Lanes = 16;

    /// <summary>The sum of (a_i b_i) c_i.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c)
    {
        if (a.Length != b.Length || a.Length != c.Length) throw new ArgumentException("the spans differ in length");
        int n = a.Length, full = n - n % Lanes;
        Span<double> lanes = stackalloc double[Lanes];
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rb = ref MemoryMarshal.GetReference(b);
        ref double rc = ref MemoryMarshal.GetReference(c);
        if (Vector512.IsHardwareAccelerated) FullLanes512(ref ra, ref rb, ref rc, full, lanes);
        else if (Vector256.IsHardwareAccelerated) FullLanes256(ref ra, ref rb, ref rc, full, lanes);
        else FullLanesScalar(a, b, c, full, lanes);
        for (int i = full; i < n; i++) lanes[i - full] += a[i] * b[i] * c[i];
        return Tree(lanes);
    }

    /// <summary>The same sum without SIMD, to check the vector paths against.</summary>
    internal static double DotScalar(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c)
    {
        int n = a.Length, full = n - n % Lanes;
        Span<double> lanes = stackalloc double[Lanes];
        FullLanesScalar(a, b, c, full, lanes);
        for (int i = full; i < n; i++) lanes[i - full] += a[i] * b[i] * c[i];
        return Tree(lanes);
    }

    private static void FullLanes512(ref double a, ref double b, ref double c, int full, Span<double> lanes)
    {
        var s0 = Vector512<double>.Zero;
        var s1 = Vector512<double>.Zero;
        for (nuint i = 0; i < (nuint)full; i += Lanes)
        {
            s0 += Vector512.LoadUnsafe(ref a, i) * Vector512.LoadUnsafe(ref b, i) * Vector512.LoadUnsafe(ref c, i);
            s1 += Vector512.LoadUnsafe(ref a, i + 8) * Vector512.LoadUnsafe(ref b, i + 8) * Vector512.LoadUnsafe(ref c, i + 8);
        }
        ref double l = ref MemoryMarshal.GetReference(lanes);
        s0.StoreUnsafe(ref l, 0);
        s1.StoreUnsafe(ref l, 8);
    }

    private static void FullLanes256(ref double a, ref double b, ref double c, int full, Span<double> lanes)
    {
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        for (nuint i = 0; i < (nuint)full; i += Lanes)
        {
            s0 += Vector256.LoadUnsafe(ref a, i) * Vector256.LoadUnsafe(ref b, i) * Vector256.LoadUnsafe(ref c, i);
            s1 += Vector256.LoadUnsafe(ref a, i + 4) * Vector256.LoadUnsafe(ref b, i + 4) * Vector256.LoadUnsafe(ref c, i + 4);
            s2 += Vector256.LoadUnsafe(ref a, i + 8) * Vector256.LoadUnsafe(ref b, i + 8) * Vector256.LoadUnsafe(ref c, i + 8);
            s3 += Vector256.LoadUnsafe(ref a, i + 12) * Vector256.LoadUnsafe(ref b, i + 12) * Vector256.LoadUnsafe(ref c, i + 12);
        }
        ref double l = ref MemoryMarshal.GetReference(lanes);
        s0.StoreUnsafe(ref l, 0);
        s1.StoreUnsafe(ref l, 4);
        s2.StoreUnsafe(ref l, 8);
        s3.StoreUnsafe(ref l, 12);
    }

    private static void FullLanesScalar(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, int full, Span<double> lanes)
    {
        lanes.Clear();
        for (int i = 0; i < full; i += Lanes)
            for (int k = 0; k < Lanes; k++) lanes[k] += a[i + k] * b[i + k] * c[i + k];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Tree(Span<double> l) =>
        (((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))) +
        (((l[8] + l[9]) + (l[10] + l[11])) + ((l[12] + l[13]) + (l[14] + l[15])));
}

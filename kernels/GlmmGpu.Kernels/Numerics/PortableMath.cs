using System.Runtime.CompilerServices;
using ILGPU.IR.Intrinsics;

namespace GlmmGpu.Kernels.Numerics;

/// <summary>
/// exp and log in double precision as plain code (no tables, no calls), the ones every family, link and
/// special function uses, on the CPU and in the ILGPU kernels alike.
///
/// Why not Math.Exp and Math.Log: on the CPU they call glibc, whose legacy-SSE code pays an AVX-to-SSE
/// transition penalty on Intel processors once the JIT has used wide registers (struct copies do): one
/// likelihood evaluation ran 7x slower on a Sapphire Rapids Xeon than with this code. On PTX without
/// libdevice, ILGPU.Algorithms implements them by CORDIC iterations; this code compiles to a few dozen FMAs.
/// Both are within about one ulp of the correctly rounded result (tests/.../Numerics/PortableMathTests.cs).
/// </summary>
public static class PortableMath
{
    // ln 2 split so that k * Ln2Hi is exact for |k| < 2^11 (Cody and Waite).
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const long SqrtHalfBits = 0x3FE6A09E667F3BCDL;
    /// <summary>exp overflows above this, and is 0 below <see cref="ExpUnderflow"/>.</summary>
    private const double ExpOverflow = 709.782712893383973096;
    private const double ExpUnderflow = -745.133219101941108420;
    private const double TwoTo54 = 18014398509481984.0;
    private const double RoundingShift = 6755399441055744.0;

    /// <summary>e^x, within about one ulp (subnormal results included). On GPU backends the scheduling layer maps
    /// this call to <see cref="PlainExp"/> or to the backend's own exp (GlmmGpu.Scheduling.DeviceMathRouting), hence
    /// the intrinsic mark; everywhere else it is <see cref="PlainExp"/>.</summary>
    [IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exp(double x) => PlainExp(x);

    /// <summary>The natural logarithm, within about one ulp; NaN below zero, -Infinity at zero. Mapped on GPU
    /// backends as <see cref="Exp"/> is.</summary>
    [IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log(double x) => PlainLog(x);

    /// <summary>e^x by range reduction and a polynomial: the code behind <see cref="Exp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PlainExp(double x)
    {
        if (!(x <= ExpOverflow)) return x + double.PositiveInfinity; // +Inf, or NaN for NaN
        if (x < ExpUnderflow) return 0.0;
        // x = k ln2 + r with |r| <= ln2 / 2 (about), then e^x = 2^k e^r. Adding 1.5 * 2^52 rounds x / ln2 to an
        // integer, which lands in the low bits: no conversion instruction and no branch.
        double shifted = x * InvLn2 + RoundingShift;
        int k = (int)BitConverter.DoubleToInt64Bits(shifted);
        double kd = shifted - RoundingShift;
        double r = (x - kd * Ln2Hi) - kd * Ln2Lo;
        // e^r = 1 + (r + r^2 T(r)), T the Taylor series to r^11 (the remainder is below 1e-17 for |r| <= 0.35), by
        // Estrin's scheme: independent multiply-adds rather than one chain of twelve. The leading 1 goes on last,
        // so that the result is rounded about once. (Plain multiply and add: ILGPU 1.5 cannot compile
        // Math.FusedMultiplyAdd for PTX.)
        double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
        double t01 = r * (1.0 / 6) + 0.5;
        double t23 = r * (1.0 / 120) + 1.0 / 24;
        double t45 = r * (1.0 / 5040) + 1.0 / 720;
        double t67 = r * (1.0 / 362880) + 1.0 / 40320;
        double t89 = r * (1.0 / 39916800) + 1.0 / 3628800;
        double t1011 = r * (1.0 / 6227020800) + 1.0 / 479001600;
        double t03 = r2 * t23 + t01;
        double t47 = r2 * t67 + t45;
        double t811 = r2 * t1011 + t89;
        double t07 = r4 * t47 + t03;
        double t = r8 * t811 + t07;
        double p = 1.0 + (r + r2 * t);
        // 2^k by its bits; out of the normal exponent range in two steps (k = 1024 near overflow; subnormals).
        if (k > 1023) return p * PowerOfTwo(k - 1) * 2.0;
        if (k < -1022) return p * PowerOfTwo(k + 54) * (1.0 / TwoTo54);
        return p * PowerOfTwo(k);
    }

    /// <summary>log x by range reduction and a polynomial: the code behind <see cref="Log"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PlainLog(double x)
    {
        if (!(x > 0.0)) return x == 0.0 ? double.NegativeInfinity : double.NaN;
        if (x == double.PositiveInfinity) return x;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int k = 0;
        if (bits < 0x0010000000000000L)
        {
            // Subnormal: scale into the normal range first.
            bits = BitConverter.DoubleToInt64Bits(x * TwoTo54);
            k = -54;
        }
        // x = 2^k m with m in [sqrt(1/2), sqrt 2), so that f = m - 1 is small: subtracting the bits of sqrt(1/2)
        // leaves k in the exponent field, without a branch on which side of sqrt 2 the mantissa falls.
        int e = (int)((bits - SqrtHalfBits) >> 52);
        k += e;
        double m = BitConverter.Int64BitsToDouble(bits - ((long)e << 52));
        double f = m - 1.0;
        // log(1 + f) = f - f^2/2 + s (f^2/2 + R) with s = f / (2 + f) and R = sum_n 2 s^2n / (2n + 1): the
        // leading f is exact, so the rounding of the rest costs under one ulp. s^2 <= 0.0295, so eleven terms
        // leave a remainder below 1e-18.
        double s = f / (2.0 + f);
        double z = s * s, z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
        double q01 = z * (2.0 / 5) + 2.0 / 3;
        double q23 = z * (2.0 / 9) + 2.0 / 7;
        double q45 = z * (2.0 / 13) + 2.0 / 11;
        double q67 = z * (2.0 / 17) + 2.0 / 15;
        double q89 = z * (2.0 / 21) + 2.0 / 19;
        double q03 = z2 * q23 + q01;
        double q47 = z2 * q67 + q45;
        double q8a = z2 * (2.0 / 23) + q89;
        double q07 = z4 * q47 + q03;
        double q = z8 * q8a + q07;
        double hfsq = 0.5 * f * f;
        double rest = s * (hfsq + z * q);
        double kd = k;
        return kd * Ln2Hi - ((hfsq - (rest + kd * Ln2Lo)) - f);
    }

    /// <summary>2^k for k in [-1022, 1023], from its bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PowerOfTwo(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
}

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
    /// this call to <see cref="PlainExp"/> or to the backend's own exp (GlmmGpu.Engines.DeviceMathRouting), hence
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
        // e^r = 1 + (r + r^2 T(r)), T a degree-9 polynomial fitted to (e^r - 1 - r) / r^2 on |r| <= ln2 / 2 (a
        // Chebyshev fit, made with mpmath: it adds under 0.2 ulp), by Estrin's scheme (independent multiply-adds
        // rather than one chain). The leading 1 goes on last, so that the result is rounded about once. (Plain
        // multiply and add: ILGPU 1.5 cannot compile Math.FusedMultiplyAdd for PTX.)
        double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
        double t01 = r * 0.16666666666666669 + 0.5000000000000001;
        double t23 = r * 0.008333333333330062 + 0.04166666666662413;
        double t45 = r * 0.00019841269863053618 + 0.0013888888917213717;
        double t67 = r * 2.7557268459997064e-06 + 2.4801521295954376e-05;
        double t89 = r * 2.510038549551032e-08 + 2.7620088445409746e-07;
        double t03 = r2 * t23 + t01;
        double t47 = r2 * t67 + t45;
        double t07 = r4 * t47 + t03;
        double t = r8 * t89 + t07;
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
        // log(1 + f) = f - f^2/2 + s (f^2/2 + z Q(z)) with s = f / (2 + f), z = s^2 <= 0.0295, where z Q(z) stands
        // for sum_n 2 z^n / (2n + 1): the leading f is exact, so the rounding of the rest costs under one ulp. Q is
        // a degree-6 Chebyshev fit to that series on [0, 0.0295] (made with mpmath), whose error adds under 0.01 ulp.
        double s = f / (2.0 + f);
        double z = s * s, z2 = z * z, z4 = z2 * z2;
        double q01 = z * 0.39999999999899505 + 0.666666666666667;
        double q23 = z * 0.2222221113479508 + 0.28571428625975487;
        double q45 = z * 0.15331721600556042 + 0.18182889125261723;
        double q46 = z2 * 0.14616449685043406 + q45;
        double q = z4 * q46 + (z2 * q23 + q01);
        double hfsq = 0.5 * f * f;
        double rest = s * (hfsq + z * q);
        double kd = k;
        return kd * Ln2Hi - ((hfsq - (rest + kd * Ln2Lo)) - f);
    }

    /// <summary>2^k for k in [-1022, 1023], from its bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PowerOfTwo(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
}

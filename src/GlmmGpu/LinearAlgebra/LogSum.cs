using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.LinearAlgebra;

/// <summary>Sums of logarithms with one log per <see cref="Group"/> values rather than one per value.</summary>
internal static class LogSum
{
    private const int Group = 64;
    private const double Ln2 = 0.69314718055994530942;

    /// <summary>
    /// The sum of log x over the x &gt; 0 (others are skipped, as <c>CrossProducts.RowTerm</c> skips them):
    /// x = m 2^e with m in [1, 2), so the sum is ln 2 sum e + log prod m, and a product of 64 such m stays below
    /// 2^64. Its rounding differs from a sum of the values' own logs by about 64 ulps of one log per group.
    /// </summary>
    public static double OverPositive(ReadOnlySpan<double> values)
    {
        const long MantissaBits = 0x000FFFFFFFFFFFFFL, ExponentOfOne = 0x3FF0000000000000L;
        double logs = 0.0, product = 1.0;
        long exponents = 0;
        int factors = 0;
        foreach (double x in values)
        {
            if (!(x > 0)) continue;
            long bits = BitConverter.DoubleToInt64Bits(x);
            int biased = (int)(bits >> 52);
            if (biased == 0 || biased == 0x7FF)
            {
                // Subnormal or infinite: the value's own log.
                logs += PortableMath.Log(x);
                continue;
            }
            exponents += biased - 1023;
            product *= BitConverter.Int64BitsToDouble((bits & MantissaBits) | ExponentOfOne);
            if (++factors == Group)
            {
                logs += PortableMath.Log(product);
                product = 1.0;
                factors = 0;
            }
        }
        return logs + PortableMath.Log(product) + exponents * Ln2;
    }
}

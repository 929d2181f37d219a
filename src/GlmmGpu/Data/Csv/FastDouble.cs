namespace GlmmGpu.Data.Csv;

/// <summary>
/// Clinger's fast path for the plain decimals that fill numeric CSV columns (R writes 15 significant digits):
/// when the digits fit in 53 bits and the power of ten is at most 22, both are exact doubles and one IEEE
/// multiply or divide gives the correctly rounded result. Anything else (more digits, big exponents, white
/// space, NaN, Inf) is left to <see cref="double.TryParse(ReadOnlySpan{char}, System.Globalization.NumberStyles, IFormatProvider?, out double)"/>.
/// It is about four times faster than the general parser, which dominates the time to load a large file.
/// </summary>
internal static class FastDouble
{
    private const ulong MaxExactMantissa = 1UL << 53;

    private static readonly double[] PowersOfTen =
    {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };

    /// <summary>True and the exact value when <paramref name="s"/> is a plain decimal the fast path covers.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        int i = 0;
        bool negative = s[0] == '-';
        if (negative || s[0] == '+') i = 1;

        // Up to 19 digits cannot overflow 64 bits (10^19 < 2^64), so the digit loops need no check of their own;
        // more digits, leading zeros included, are left to the general parser.
        ulong mantissa = 0;
        int integerStart = i;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) break;
            mantissa = mantissa * 10 + d;
        }
        int digits = i - integerStart, exponent = 0;
        if (i < s.Length && s[i] == '.')
        {
            int fractionStart = ++i;
            for (; i < s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9) break;
                mantissa = mantissa * 10 + d;
            }
            exponent = fractionStart - i;
            digits += i - fractionStart;
        }
        if (digits == 0 || digits > 19) return false;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            bool negativeExponent = false;
            if (i < s.Length && (s[i] == '-' || s[i] == '+')) { negativeExponent = s[i] == '-'; i++; }
            int exponentStart = i, e = 0;
            for (; i < s.Length; i++)
            {
                uint d = (uint)(s[i] - '0');
                if (d > 9 || e > 1000) break;
                e = e * 10 + (int)d;
            }
            if (i == exponentStart) return false;
            exponent += negativeExponent ? -e : e;
        }
        if (i != s.Length || mantissa > MaxExactMantissa) return false;

        double m = mantissa;
        if (mantissa == 0) value = 0;
        else if (exponent == 0) value = m;
        else if (exponent > 0 && exponent <= 22) value = m * PowersOfTen[exponent];
        else if (exponent < 0 && exponent >= -22) value = m / PowersOfTen[-exponent];
        else return false;
        if (negative) value = -value;
        return true;
    }
}

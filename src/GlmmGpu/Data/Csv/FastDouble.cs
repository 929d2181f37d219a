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
        int i = 0, n = s.Length;
        bool negative = false;
        if (n == 0) return false;
        if (s[0] == '-') { negative = true; i++; }
        else if (s[0] == '+') i++;

        ulong mantissa = 0;
        int significant = 0, exponent = 0;
        bool anyDigit = false;
        for (; i < n && IsDigit(s[i]); i++)
        {
            if (!Accumulate(ref mantissa, ref significant, s[i])) return false;
            anyDigit = true;
        }
        if (i < n && s[i] == '.')
        {
            for (i++; i < n && IsDigit(s[i]); i++)
            {
                if (!Accumulate(ref mantissa, ref significant, s[i])) return false;
                exponent--;
                anyDigit = true;
            }
        }
        if (!anyDigit) return false;
        if (i < n && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            bool negativeExponent = false;
            if (i < n && (s[i] == '-' || s[i] == '+')) { negativeExponent = s[i] == '-'; i++; }
            if (i == n) return false;
            int e = 0;
            for (; i < n && IsDigit(s[i]); i++)
            {
                if (e > 1000) return false;
                e = e * 10 + (s[i] - '0');
            }
            exponent += negativeExponent ? -e : e;
        }
        if (i != n || mantissa > MaxExactMantissa) return false;

        double m = mantissa;
        if (mantissa == 0) value = 0;
        else if (exponent == 0) value = m;
        else if (exponent > 0 && exponent <= 22) value = m * PowersOfTen[exponent];
        else if (exponent < 0 && exponent >= -22) value = m / PowersOfTen[-exponent];
        else return false;
        if (negative) value = -value;
        return true;
    }

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    // Adds one digit; leading zeros are not significant. Gives up past 17 significant digits, where the
    // mantissa can no longer be below 2^53 anyway.
    private static bool Accumulate(ref ulong mantissa, ref int significant, char c)
    {
        if (mantissa != 0 || c != '0') significant++;
        if (significant > 17) return false;
        mantissa = mantissa * 10 + (ulong)(c - '0');
        return true;
    }
}

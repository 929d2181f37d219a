using System.Globalization;

namespace GlmmGpu.Model;

/// <summary>
/// Spells a number as R's <c>as.character</c> does, which is how a numeric column turned factor names its
/// levels (and so its coefficients: <c>YEAR96</c>, <c>x1e+05</c>): 15 significant digits, trailing zeros
/// dropped, and scientific notation only when it is shorter than fixed notation.
/// </summary>
internal static class RNumberFormat
{
    public static string Format(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return "0";
        string sign = v < 0 ? "-" : "";
        // Whole numbers below 1e15 (group ids: a hundred thousand levels and more) spell their fixed form directly;
        // only when trailing zeros make R's scientific form shorter is it built the long way.
        if (Math.Abs(v) < 1e15 && v == Math.Floor(v))
        {
            string whole = ((long)Math.Abs(v)).ToString(CultureInfo.InvariantCulture);
            int significant = whole.AsSpan().TrimEnd('0').Length;
            int sciLength = significant + (significant > 1 ? 1 : 0) + 4;
            if (whole.Length <= sciLength) return sign + whole;
        }
        // "E14" gives 15 significant digits: d.dddddddddddddd E+xxx.
        string e14 = Math.Abs(v).ToString("E14", CultureInfo.InvariantCulture);
        int ePos = e14.IndexOf('E');
        string digits = (e14[0] + e14.Substring(2, ePos - 2)).TrimEnd('0');
        int exponent = int.Parse(e14.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        string fixedText = Fixed(digits, exponent);
        string sci = digits[0] + (digits.Length > 1 ? "." + digits[1..] : "")
            + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        return sign + (fixedText.Length <= sci.Length ? fixedText : sci);
    }

    private static string Fixed(string digits, int exponent)
    {
        if (exponent < 0) return "0." + new string('0', -exponent - 1) + digits;
        if (digits.Length <= exponent + 1) return digits + new string('0', exponent + 1 - digits.Length);
        return digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
    }
}

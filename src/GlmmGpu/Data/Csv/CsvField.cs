using System.Globalization;

namespace GlmmGpu.Data.Csv;

/// <summary>What one CSV field holds once read as a number.</summary>
internal enum FieldKind
{
    /// <summary>Empty, blank, or <c>NA</c> (spaces around it allowed): a missing value.</summary>
    Missing,
    /// <summary>A finite number.</summary>
    Number,
    /// <summary>An explicit <c>NaN</c>, <c>Inf</c> or <c>-Inf</c>.</summary>
    NonFinite,
    /// <summary>
    /// Anything else, including a number beyond a double's range (<c>1e400</c>) and an integer written in more digits
    /// than a double holds exactly (beyond 2^53, as long ids are): the column is text.
    /// </summary>
    Text,
}

/// <summary>Reads one field's characters as R's read.csv would for a numeric column, without allocating.</summary>
internal static class CsvField
{
    public static FieldKind Parse(ReadOnlySpan<char> field, out double value)
    {
        if (field.IsEmpty || field.SequenceEqual("NA"))
        {
            value = double.NaN;
            return FieldKind.Missing;
        }
        if (FastDouble.TryParse(field, out value)) return FieldKind.Number;
        // NumberStyles.Float: sign, decimal point, exponent and surrounding white space; no thousands separators.
        // .NET also accepts NaN / Infinity / -Infinity here, case-insensitively.
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            if (double.IsFinite(value))
            {
                if (!IsInexactInteger(field, value)) return FieldKind.Number;
                // Distinct ids of 17 digits would round to one double and merge their groups: kept as text, exactly.
                value = double.NaN;
                return FieldKind.Text;
            }
            // A literal with digits that reads as infinite overflowed: R would read it as Inf, but it is a typo
            // or a unit gone wrong, and as text its column is reported with the value as written.
            if (!IsOverflow(field)) return FieldKind.NonFinite;
            value = double.NaN;
            return FieldKind.Text;
        }
        // R writes infinities as Inf / -Inf, which .NET does not read.
        var t = field.Trim();
        if (t.Equals("Inf", StringComparison.OrdinalIgnoreCase) || t.Equals("+Inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return FieldKind.NonFinite;
        }
        if (t.Equals("-Inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return FieldKind.NonFinite;
        }
        value = double.NaN;
        return IsMissing(field) ? FieldKind.Missing : FieldKind.Text;
    }

    /// <summary>Empty, <c>NA</c>, or either with spaces around it, as R reads a numeric field.</summary>
    public static bool IsMissing(ReadOnlySpan<char> field)
    {
        if (field.IsEmpty || field.SequenceEqual("NA")) return true;
        // Only padded fields need trimming: a cheap look at the ends keeps text fields' common path short.
        if (!char.IsWhiteSpace(field[0]) && !char.IsWhiteSpace(field[^1])) return false;
        var trimmed = field.Trim();
        return trimmed.IsEmpty || trimmed.SequenceEqual("NA");
    }

    /// <summary>Whether a field that reads as <paramref name="value"/> is an integer, written in digits alone, from 2^53 on,
    /// where neighbouring integers share a double (2^53 + 1 reads as 2^53; the fast parser takes 2^53 itself).</summary>
    public static bool IsInexactInteger(ReadOnlySpan<char> field, double value)
    {
        if (Math.Abs(value) < MaxExactInteger) return false;
        var digits = field.Trim();
        if (digits[0] is '+' or '-') digits = digits[1..];
        return !digits.ContainsAnyExceptInRange('0', '9');
    }

    private const double MaxExactInteger = 9007199254740992.0; // 2^53

    /// <summary>Whether a field that reads as infinite was written as digits (<c>1e400</c>), not as infinity's name.</summary>
    public static bool IsOverflow(ReadOnlySpan<char> field) => field.IndexOfAnyInRange('0', '9') >= 0;
}

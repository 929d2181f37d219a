using System.Globalization;

namespace GlmmGpu.Data.Csv;

/// <summary>What one CSV field holds once read as a number.</summary>
internal enum FieldKind
{
    /// <summary>Empty or <c>NA</c>: a missing value.</summary>
    Missing,
    /// <summary>A finite number.</summary>
    Number,
    /// <summary>An explicit <c>NaN</c>, <c>Inf</c> or <c>-Inf</c> (or a literal too large for a double).</summary>
    NonFinite,
    /// <summary>Anything else: the column is text.</summary>
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
            return double.IsFinite(value) ? FieldKind.Number : FieldKind.NonFinite;
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
        return FieldKind.Text;
    }

    public static bool IsMissing(ReadOnlySpan<char> field) => field.IsEmpty || field.SequenceEqual("NA");
}

using System.Globalization;

namespace GlmmGpu.Data.Csv;

/// <summary>What one value of a text column says about whether the column is meant as numbers.</summary>
internal enum TextValueKind
{
    /// <summary>Reads as a number: the column would be numeric but for its other values.</summary>
    Number,
    /// <summary>Written as a number, but not one glmm reads: a decimal comma, thousands separators, a percent sign.</summary>
    UnreadableNumber,
    /// <summary>Digits that read as a number beyond a double's range (<c>1e400</c>).</summary>
    Overflow,
    /// <summary>An integer beyond 2^53, which a double cannot hold exactly.</summary>
    InexactInteger,
    /// <summary>Anything else.</summary>
    Text,
}

/// <summary>
/// Tells a text column that is numbers with a few bad cells (a typo, <c>2,5</c> for 2.5, <c>n/a</c> for a missing
/// value) from a column of text. The decision is made on the column's distinct values, which the reader pools anyway,
/// so the common path pays nothing per cell: when the values that are, or are written as, numbers outnumber the other
/// values, the column is meant as numbers and its other cells are found (<see cref="NonNumericCells"/>).
/// </summary>
internal static class TextValues
{
    public static TextValueKind Classify(string value)
    {
        var s = value.AsSpan().Trim();
        if (s.IsEmpty) return TextValueKind.Text;
        // Most values of a text column begin with a letter: settle those without trying to read them as numbers.
        char first = s[0];
        if (!char.IsAsciiDigit(first) && first is not ('+' or '-' or '.' or 'N' or 'n' or 'I' or 'i')) return TextValueKind.Text;
        if (CsvField.Parse(value, out _) is FieldKind.Number or FieldKind.NonFinite) return TextValueKind.Number;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
        {
            if (double.IsInfinity(v)) return TextValueKind.Overflow;
            if (CsvField.IsInexactInteger(s, v)) return TextValueKind.InexactInteger;
        }
        return IsWrittenAsNumber(s) ? TextValueKind.UnreadableNumber : TextValueKind.Text;
    }

    /// <summary>Digits with commas (a decimal comma or thousands separators) or a closing percent sign.</summary>
    private static bool IsWrittenAsNumber(ReadOnlySpan<char> s)
    {
        if (s[0] is '+' or '-') s = s[1..];
        bool percent = s.EndsWith('%');
        if (percent) s = s[..^1];
        bool digit = false, comma = false;
        foreach (char c in s)
        {
            if (char.IsAsciiDigit(c)) digit = true;
            else if (c == ',') comma = true;
            else if (c != '.') return false;
        }
        return digit && (comma || percent);
    }

    /// <summary>
    /// The cells of a text column (<paramref name="values"/>[0, <paramref name="count"/>)) that keep it from being
    /// numeric when most of its distinct values are numbers; null for a column of text. <paramref name="levelSets"/>
    /// holds the column's distinct values: one set, or one per part of a file read in parts (they may overlap).
    /// </summary>
    public static NonNumericCells? FindNonNumeric(string?[] values, int count, IReadOnlyList<IReadOnlyCollection<string>> levelSets)
    {
        IReadOnlyCollection<string> levels;
        if (levelSets.Count == 1) levels = levelSets[0];
        else
        {
            // The parts' sets overlap: their sums bound the whole column's counts, and settle a column of text at once.
            int numbersAtMost = 0, textAtLeast = 0;
            foreach (var set in levelSets)
            {
                var (numbers, text) = Count(set);
                numbersAtMost += numbers;
                textAtLeast = Math.Max(textAtLeast, text);
            }
            if (numbersAtMost <= textAtLeast) return null;
            var union = new HashSet<string>(StringComparer.Ordinal);
            foreach (var set in levelSets) union.UnionWith(set);
            levels = union;
        }
        var (numberLike, other) = Count(levels);
        if (numberLike <= other) return null;

        var bad = new HashSet<string>(StringComparer.Ordinal);
        foreach (var level in levels)
            if (Classify(level) != TextValueKind.Number) bad.Add(level);
        if (bad.Count == 0) return null;
        int first = -1, badCells = 0, present = 0;
        for (int i = 0; i < count; i++)
        {
            if (values[i] is not { } v) continue;
            present++;
            if (!bad.Contains(v)) continue;
            badCells++;
            if (first < 0) first = i;
        }
        return first < 0 ? null : new NonNumericCells(first, values[first]!, badCells, present);
    }

    /// <summary>How many of the values are, or are written as, numbers, and how many are other text.</summary>
    private static (int NumberLike, int Text) Count(IReadOnlyCollection<string> levels)
    {
        int numberLike = 0, text = 0;
        foreach (var level in levels)
        {
            if (Classify(level) == TextValueKind.Text) text++;
            else numberLike++;
        }
        return (numberLike, text);
    }
}

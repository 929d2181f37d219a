using GlmmGpu.Data.Csv;

namespace GlmmGpu.Data;

/// <summary>
/// The cells of a column of mostly numbers that are not numbers: how many, of how many values, and the first of them.
/// </summary>
/// <param name="FirstRow">The first such cell's row, from 0 (data rows of the file, after the header).</param>
/// <param name="FirstValue">That cell as written.</param>
/// <param name="Count">How many cells are not numbers.</param>
/// <param name="Values">How many cells the column has that are not missing.</param>
public sealed record NonNumericCells(int FirstRow, string FirstValue, int Count, int Values)
{
    private const int MaxShown = 40;

    /// <summary>The first cell that is not a number, as "row 5 is 'abc'".</summary>
    public string FirstCell => $"row {FirstRow + 1} is '{Shown}'";

    private string Shown => FirstValue.Length <= MaxShown ? FirstValue : FirstValue[..MaxShown] + "...";

    /// <summary>The error for using column <paramref name="column"/> as numbers or as a factor without saying which.</summary>
    public string Describe(string column)
    {
        string reason = TextValues.Classify(FirstValue) switch
        {
            TextValueKind.Overflow => "beyond the range of a double (about 1.8e308)",
            TextValueKind.InexactInteger => "an integer beyond 2^53, which a double cannot hold exactly",
            TextValueKind.UnreadableNumber =>
                "which glmm does not read as a number (it reads '.' as the decimal point, with no thousands separators or percent signs)",
            _ => "which is not a number",
        };
        string holds = Count < Values
            ? $"holds numbers but for {Count} of its {Values} values"
            : "is written as numbers, none of which glmm reads as one";
        return $"column '{column}' {holds}: {FirstCell}, {reason}; " +
            $"correct it (NA or an empty field is a missing value), or declare the column a factor (--factor {column}) if it is categorical";
    }
}

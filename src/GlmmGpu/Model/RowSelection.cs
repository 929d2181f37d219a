using GlmmGpu.Data;

namespace GlmmGpu.Model;

/// <summary>
/// Chooses the rows a model uses: a row with a missing value in any column the model reads is dropped (R's
/// na.omit). An explicit NaN or infinity is not a missing value but bad data, and stops the build.
/// </summary>
internal static class RowSelection
{
    /// <summary>Source indexes of the complete rows, in source order.</summary>
    public static int[] CompleteRows(DataTable data, IEnumerable<string> columns)
    {
        var drop = new bool[data.RowCount];
        foreach (var name in columns)
        {
            switch (data[name])
            {
                case NumericColumn n:
                    MarkNumeric(n, drop);
                    break;
                case StringColumn s:
                    for (int r = 0; r < s.Values.Length; r++)
                        if (s.Values[r] is null) drop[r] = true;
                    break;
            }
        }
        int kept = 0;
        foreach (bool d in drop) if (!d) kept++;
        var rows = new int[kept];
        for (int r = 0, k = 0; r < drop.Length; r++)
            if (!drop[r]) rows[k++] = r;
        return rows;
    }

    private static void MarkNumeric(NumericColumn column, bool[] drop)
    {
        var values = column.Values;
        var flagged = column.NonFinite;
        for (int r = 0; r < values.Length; r++)
        {
            double v = values[r];
            if (double.IsFinite(v)) continue;
            bool explicitNaN = double.IsNaN(v) && flagged is not null && flagged[r];
            if (double.IsNaN(v) && !explicitNaN)
            {
                drop[r] = true;
                continue;
            }
            string what = double.IsNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";
            throw new GlmmException(
                $"column '{column.Name}' row {r + 1} is {what}: a model cannot use it (write NA or leave the field empty for a missing value)");
        }
    }
}

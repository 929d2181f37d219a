using System.Globalization;
using GlmmGpu.Data;

namespace GlmmGpu.Model;

/// <summary>A factor over the model's rows: its levels in R's order and the level code of every row.</summary>
internal sealed class Factor
{
    public Factor(string name, string[] levels, int[] codes)
    {
        Name = name;
        Levels = levels;
        Codes = codes;
    }

    public string Name { get; }
    /// <summary>Levels present in the rows, sorted as R sorts them; the first is the reference level.</summary>
    public string[] Levels { get; }
    /// <summary>Level code of each row.</summary>
    public int[] Codes { get; }
    public int LevelCount => Levels.Length;

    /// <summary>
    /// Codes a column over the given rows. Only levels that occur in those rows are kept (R's droplevels after
    /// na.omit). Levels sort numerically when every level reads as a number (a numeric column, or text such
    /// as "501"), else by ordinal string comparison.
    /// </summary>
    public static Factor FromColumn(DataColumn column, int[] rows) => column switch
    {
        NumericColumn n => FromNumbers(n, rows),
        StringColumn s => FromStrings(s, rows),
        _ => throw new ArgumentException($"unsupported column type {column.GetType().Name}"),
    };

    private static Factor FromNumbers(NumericColumn column, int[] rows)
    {
        var values = column.Values;
        if (FromIntegers(column, rows) is { } integers) return integers;
        var distinct = new HashSet<double>();
        foreach (int r in rows) distinct.Add(values[r]);
        var sorted = distinct.ToArray();
        Array.Sort(sorted);
        var codeOf = new Dictionary<double, int>(sorted.Length);
        for (int i = 0; i < sorted.Length; i++) codeOf[sorted[i]] = i;
        var codes = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++) codes[i] = codeOf[values[rows[i]]];
        return new Factor(column.Name, sorted.Select(RNumberFormat.Format).ToArray(), codes);
    }

    /// <summary>
    /// Integer codes within a range a few times the row count (group ids, the common case): levels by a presence
    /// table instead of hashing, the same levels in the same order. Null for anything else.
    /// </summary>
    private static Factor? FromIntegers(NumericColumn column, int[] rows)
    {
        var values = column.Values;
        if (rows.Length == 0) return null;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (int r in rows)
        {
            double v = values[r];
            if (v != Math.Floor(v)) return null;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (!(max - min <= 4.0 * rows.Length + 1024) || min < int.MinValue || max > int.MaxValue) return null;
        long lo = (long)min;
        var code = new int[(int)((long)max - lo) + 1];
        foreach (int r in rows) code[(long)values[r] - lo] = 1;
        var levels = new List<string>();
        for (int i = 0; i < code.Length; i++)
        {
            if (code[i] == 0) continue;
            code[i] = levels.Count;
            levels.Add(RNumberFormat.Format(lo + i));
        }
        var codes = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++) codes[i] = code[(long)values[rows[i]] - lo];
        return new Factor(column.Name, levels.ToArray(), codes);
    }

    private static Factor FromStrings(StringColumn column, int[] rows)
    {
        var values = column.Values;
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        var codes = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            // Rows with missing values were removed before factors are built.
            string v = values[rows[i]]!;
            if (!firstSeen.TryGetValue(v, out int code))
            {
                code = firstSeen.Count;
                firstSeen.Add(v, code);
            }
            codes[i] = code;
        }
        var levels = firstSeen.Keys.ToArray();
        var order = SortOrder(levels);
        var newCode = new int[levels.Length];
        for (int i = 0; i < order.Length; i++) newCode[order[i]] = i;
        for (int i = 0; i < codes.Length; i++) codes[i] = newCode[codes[i]];
        return new Factor(column.Name, order.Select(i => levels[i]).ToArray(), codes);
    }

    /// <summary>
    /// Codes a column over the given rows with the levels of an earlier fit, in the fit's order (as R's predict
    /// does with the model's xlevels). Numbers are spelled as R spells them to match the fit's level names. A
    /// value the fit did not see has no coefficient, so it is an error naming the column and the value.
    /// </summary>
    public static Factor WithLevels(DataColumn column, int[] rows, string[] levels)
    {
        var codeOf = new Dictionary<string, int>(levels.Length, StringComparer.Ordinal);
        for (int i = 0; i < levels.Length; i++) codeOf[levels[i]] = i;
        var codes = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            // Rows with missing values were removed before factors are built.
            string value = column switch
            {
                NumericColumn n => RNumberFormat.Format(n.Values[rows[i]]),
                StringColumn s => s.Values[rows[i]]!,
                _ => throw new ArgumentException($"unsupported column type {column.GetType().Name}"),
            };
            if (!codeOf.TryGetValue(value, out codes[i]))
                throw new GlmmException(
                    $"column '{column.Name}' has level '{value}' (row {rows[i] + 1}), which the fit did not see; its levels are {string.Join(", ", levels)}");
        }
        return new Factor(column.Name, levels, codes);
    }

    /// <summary>Indexes of <paramref name="levels"/> in R's level order.</summary>
    private static int[] SortOrder(string[] levels)
    {
        var numbers = new double[levels.Length];
        bool allNumeric = true;
        for (int i = 0; i < levels.Length && allNumeric; i++)
            allNumeric = double.TryParse(levels[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]);
        var order = Enumerable.Range(0, levels.Length).ToArray();
        Comparison<int> compare = allNumeric
            ? (a, b) => numbers[a] != numbers[b] ? numbers[a].CompareTo(numbers[b]) : string.CompareOrdinal(levels[a], levels[b])
            : (a, b) => string.CompareOrdinal(levels[a], levels[b]);
        Array.Sort(order, compare);
        return order;
    }

    /// <summary>This factor restricted to a reordering of its rows (<paramref name="order"/>[i] = old row).</summary>
    public Factor Permute(int[] order)
    {
        var codes = new int[order.Length];
        for (int i = 0; i < order.Length; i++) codes[i] = Codes[order[i]];
        return new Factor(Name, Levels, codes);
    }
}

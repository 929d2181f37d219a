using GlmmGpu.Inference;

namespace GlmmGpu.Results;

/// <summary>
/// Prints an <see cref="AnovaTable"/> as R prints lme4's <c>anova(m0, m1)</c> (<c>print.anova</c> through
/// <c>printCoefmat</c> with 5 digits): the data, the models' formulas, then npar, AIC, BIC, logLik, deviance, Chisq,
/// Df and Pr(&gt;Chisq) with significance stars, empty cells where the first model has no test.
/// </summary>
public static class AnovaFormatter
{
    private const int Digits = 5;

    public static void Write(AnovaTable table, TextWriter output)
    {
        var rows = table.Rows;
        var dataName = rows.Select(r => r.Fit.Data?.FileName).FirstOrDefault(n => n is not null);
        if (dataName is not null) output.WriteLine($"Data: {dataName}");
        output.WriteLine("Models:");
        foreach (var r in rows) output.WriteLine($"{r.Fit.Name}: {r.Fit.Formula}");

        var fits = rows.Select(r => r.Fit).ToArray();
        var columns = new List<(string Header, string[] Cells)>
        {
            ("npar", fits.Select(f => f.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
            ("AIC", Zapped(fits.Select(f => f.Aic))),
            ("BIC", Zapped(fits.Select(f => f.Bic))),
            ("logLik", Zapped(fits.Select(f => f.LogLik!.Value))),
            ("deviance", Zapped(fits.Select(f => f.Deviance))),
            ("Chisq", TestStatistics(rows.Select(r => r.Chisq).ToArray())),
            ("Df", rows.Select(r => r.Df?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray()),
        };
        var tested = rows.Where(r => r.P is not null).ToArray();
        var pCells = RFormat.FormatPValues(tested.Select(r => r.P!.Value).ToArray(), Digits - 1);
        int next = 0;
        columns.Add(("Pr(>Chisq)", rows.Select(r => r.P is null ? "" : pCells[next++]).ToArray()));
        bool stars = tested.Any(r => r.P < 0.1);
        if (stars) columns.Add(("", rows.Select(r => r.P is { } p ? RFormat.SignifStars(p) : "").ToArray()));

        int nameWidth = rows.Max(r => r.Fit.Name.Length);
        var widths = columns.Select(c => Math.Max(c.Header.Length, c.Cells.Max(s => s.Length))).ToArray();
        output.WriteLine(new string(' ', nameWidth) + string.Concat(columns.Select((c, k) => " " + c.Header.PadLeft(widths[k]))));
        for (int i = 0; i < rows.Count; i++)
            output.WriteLine(rows[i].Fit.Name.PadRight(nameWidth) + string.Concat(columns.Select((c, k) => " " + (k == columns.Count - 1 && stars ? c.Cells[i].PadRight(widths[k]) : c.Cells[i].PadLeft(widths[k])))));
        if (stars)
        {
            output.WriteLine("---");
            output.WriteLine(RFormat.SignifLegend);
        }
        foreach (var note in table.Notes) output.WriteLine("Note: " + note);
    }

    /// <summary>printCoefmat's <c>format(zapsmall(x, digits), digits = digits)</c>.</summary>
    private static string[] Zapped(IEnumerable<double> values) => RFormat.Format(RFormat.ZapSmall(values.ToArray(), Digits), Digits);

    /// <summary>printCoefmat's test statistics: <c>format(round(x, digits - 1), digits = digits)</c>, empty where missing.</summary>
    private static string[] TestStatistics(double?[] values)
    {
        var present = values.Where(v => v is not null).Select(v => RFormat.Round(v!.Value, Digits - 1)).ToArray();
        var cells = RFormat.Format(present, Digits);
        int next = 0;
        return values.Select(v => v is null ? "" : cells[next++]).ToArray();
    }
}

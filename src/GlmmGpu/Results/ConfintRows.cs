using GlmmGpu.Fitting.Inference;

namespace GlmmGpu.Results;

/// <summary>
/// The rows of lme4's <c>confint(m, oldNames = FALSE)</c> in its order: for each grouping factor, by columns of the
/// covariance factor, <c>sd_TERM|FACTOR</c> then <c>cor_ROW.COLUMN|FACTOR</c> for the rows below it; then the
/// dispersion (<c>sigma</c>); then the fixed effects. Bootstrap SDs beside them where the method has them.
/// </summary>
public static class ConfintRows
{
    public readonly record struct Row(string Name, Interval Interval, double BootstrapSd);

    public static IReadOnlyList<Row> Of(ConfidenceIntervals ci)
    {
        var rows = new List<Row>();
        foreach (var component in ci.VarCorr)
        {
            int q = component.TermNames.Length;
            for (int j = 0; j < q; j++)
            {
                rows.Add(new Row($"sd_{component.TermNames[j]}|{component.Factor}", component.Sd[j], component.SdBootstrapSd?[j] ?? double.NaN));
                for (int i = j + 1; i < q && component.Corr.Length > 0; i++)
                {
                    int k = i * (i - 1) / 2 + j;
                    rows.Add(new Row($"cor_{component.TermNames[i]}.{component.TermNames[j]}|{component.Factor}", component.Corr[k],
                        component.CorrBootstrapSd?[k] ?? double.NaN));
                }
            }
        }
        if (ci.Dispersion is { } d)
            rows.Add(new Row(ci.DispersionName ?? "sigma", d, ci.DispersionBootstrapSd ?? double.NaN));
        for (int a = 0; a < ci.FixedNames.Count; a++)
            rows.Add(new Row(ci.FixedNames[a], ci.Fixef[a], ci.FixefBootstrapSd?[a] ?? double.NaN));
        return rows;
    }

    /// <summary>R's column labels for the ends: <c>2.5 %</c> and <c>97.5 %</c> at level 0.95.</summary>
    public static (string Lower, string Upper) Labels(double level)
    {
        double a = (1 - level) / 2;
        return (RFormat.Format(100 * a, 3) + " %", RFormat.Format(100 * (1 - a), 3) + " %");
    }
}

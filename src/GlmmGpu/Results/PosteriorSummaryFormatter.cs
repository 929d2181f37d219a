using System.Globalization;
using System.Text;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Results;

/// <summary>
/// A Bayesian fit's summary, laid out as rstanarm's and brms's: the model, the sampler's settings, the priors, then one
/// table per block (fixed effects, the grouping factor's SDs and correlations, the dispersion) with mean, sd, the 2.5%,
/// 50% and 97.5% quantiles, MCSE, bulk and tail ESS and R-hat, then the sampler's diagnostics and warnings (a grid
/// fit's lines instead, <see cref="GridSummaryLines"/>).
/// </summary>
public static class PosteriorSummaryFormatter
{
    public static string Format(FitResult r, string? dataName = null)
    {
        var p = r.Posterior ?? throw new ArgumentException("the fit has no posterior", nameof(r));
        var s = p.Sampler;
        var grid = p.Grid;
        var sb = new StringBuilder();
        string quadrature = r.NAgq > 1 ? $"adaptive Gauss-Hermite quadrature, nAGQ = {r.NAgq}" : "Laplace approximation";
        string algorithm = grid is null ? "NUTS" : "a grid over the variance parameters";
        sb.Append($"Bayesian generalized linear mixed model: {algorithm} on the marginal posterior ({quadrature})\n");
        sb.Append($" Family: {FamilyNames.RName(r.Family)}  ( {FamilyNames.RName(r.Link)} )\n");
        sb.Append($"Formula: {r.Formula}\n");
        if (!string.IsNullOrEmpty(dataName)) sb.Append($"   Data: {dataName}\n");
        sb.Append($" Device: {r.Device}\n");
        if (s is not null)
            sb.Append($"  Draws: {s.Chains} chains, each with iter = {s.Settings.Warmup + s.Settings.Samples}; warmup = {s.Settings.Warmup}; " +
                $"thin = 1; post-warmup draws = {s.Chains * s.Settings.Samples}; seed = {s.Seed}; {s.Metric} metric\n");
        if (grid is not null) sb.Append(GridSummaryLines.Header(grid));
        sb.Append($"Observations: {r.NObs}; groups: {string.Join(", ", r.NGroups.Select(g => $"{g.Factor}, {g.Levels}"))}\n\n");
        sb.Append("Priors:\n");
        foreach (var line in p.Priors) sb.Append("  ").Append(line).Append('\n');
        sb.Append('\n');
        sb.Append("Fixed effects:\n");
        Table(sb, p.Fixef.Select(x => (x.Name, x)).ToList());
        foreach (var component in p.VarCorr)
        {
            sb.Append($"\nRandom effects ({component.Factor}):\n");
            var rows = component.Sd.Select(x => ($"sd({x.Name})", x)).ToList();
            rows.AddRange(component.Corr.Select(c => ($"cor({c.Term1},{c.Term2})", c.Summary)));
            Table(sb, rows);
        }
        if (p.Dispersion is { } d)
        {
            sb.Append("\nDispersion:\n");
            Table(sb, [(d.Name, d)]);
        }
        if (s is not null)
        {
            sb.Append($"\nSampler: step sizes {string.Join(", ", s.StepSizes.Select(v => G(v, 3)))}; mean accept_stat " +
                $"{string.Join(", ", s.MeanAcceptance.Select(v => G(v, 3)))}; E-BFMI {string.Join(", ", s.Ebfmi.Select(v => G(v, 3)))}\n");
            sb.Append($"  {s.Divergences.Sum()} divergent transitions, {s.MaxTreeDepthHits.Sum()} at max treedepth {s.Settings.MaxTreeDepth}; " +
                $"{s.Leapfrogs} leapfrog steps, {s.Evaluations} likelihood evaluations in {s.SamplingSeconds:0.00} s\n");
            sb.Append("MCSE is the Monte Carlo SE of the mean; Bulk_ESS and Tail_ESS are effective sample sizes and Rhat the\n" +
                "rank-normalised split R-hat (Vehtari et al. 2021; 1 at convergence).\n");
        }
        if (grid is not null) sb.Append(GridSummaryLines.Footer(grid));
        foreach (var w in p.Warnings) sb.Append("\nWarning: ").Append(w);
        if (p.Warnings.Count > 0) sb.Append('\n');
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, List<(string Name, PosteriorSummary S)> rows)
    {
        string[] header = ["mean", "sd", "2.5%", "50%", "97.5%", "MCSE", "Bulk_ESS", "Tail_ESS", "Rhat"];
        var cells = rows.Select(r => new[]
        {
            G(r.S.Mean, 3), G(r.S.Sd, 3), G(r.S.Q2_5, 3), G(r.S.Q50, 3), G(r.S.Q97_5, 3), G(r.S.Mcse, 2),
            Whole(r.S.EssBulk), Whole(r.S.EssTail), double.IsFinite(r.S.Rhat) ? r.S.Rhat.ToString("0.00", CultureInfo.InvariantCulture) : "NA",
        }).ToList();
        int nameWidth = Math.Max(1, rows.Max(r => r.Name.Length));
        var widths = header.Select((h, j) => Math.Max(h.Length, cells.Max(c => c[j].Length))).ToArray();
        sb.Append(new string(' ', nameWidth));
        for (int j = 0; j < header.Length; j++) sb.Append(' ').Append(header[j].PadLeft(widths[j]));
        sb.Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append(rows[i].Name.PadRight(nameWidth));
            for (int j = 0; j < header.Length; j++) sb.Append(' ').Append(cells[i][j].PadLeft(widths[j]));
            sb.Append('\n');
        }
    }

    private static string G(double v, int digits) => double.IsFinite(v) ? RFormat.Format(v, digits) : "NA";

    private static string Whole(double v) => double.IsFinite(v) ? Math.Round(v).ToString("0", CultureInfo.InvariantCulture) : "NA";
}

using GlmmGpu.Kernels.Families;
using System.Text;

using GlmmGpu.Fitting;

namespace GlmmGpu.Results;

/// <summary>
/// A text summary of a fit laid out like R's <c>summary(glmer(...))</c>: header, family, formula, the
/// AIC/BIC/logLik/deviance/df.resid row (or the REML criterion), scaled residuals, the random-effects table,
/// the fixed-effects table with R's significance stars, the correlation of the fixed effects, the
/// dispersion, and the messages of the fit. Numbers are formatted as R formats them (see <see cref="RFormat"/>).
/// </summary>
public static class SummaryFormatter
{
    /// <summary>Significant digits of the tables (lme4: <c>max(3, getOption("digits") - 3)</c>).</summary>
    private const int Digits = 4;
    /// <summary>The correlation of the fixed effects is shown up to this many coefficients.</summary>
    public const int MaxCorrelationTerms = 10;

    /// <summary>The summary as text with '\n' line ends and a final newline.</summary>
    /// <param name="result">The fit.</param>
    /// <param name="dataName">What to print on the <c>Data:</c> line (a file name); omitted when null.</param>
    public static string Format(FitResult result, string? dataName = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Posterior is not null) return PosteriorSummaryFormatter.Format(result, dataName);
        var lines = new List<string>();
        lines.AddRange(HeaderLines(result, dataName));
        lines.Add("");
        lines.AddRange(CriterionLines(result));
        lines.Add("");
        if (result.ScaledResiduals is { Length: > 0 } res)
        {
            lines.AddRange(ScaledResidualLines(res));
            lines.Add("");
        }
        lines.AddRange(RandomEffectsLines(result));
        lines.Add("");
        lines.AddRange(FixedEffectsLines(result));
        var corr = CorrelationLines(result);
        if (corr.Count > 0)
        {
            lines.Add("");
            lines.AddRange(corr);
        }
        var tail = TailLines(result);
        if (tail.Count > 0)
        {
            lines.Add("");
            lines.AddRange(tail);
        }
        var sb = new StringBuilder();
        foreach (var l in lines)
            sb.Append(l.TrimEnd()).Append('\n');
        return sb.ToString();
    }

    /// <summary>Write <see cref="Format"/>'s text to <paramref name="writer"/>.</summary>
    public static void Write(FitResult result, TextWriter writer, string? dataName = null) =>
        writer.Write(Format(result, dataName));

    /// <summary>The first line: what kind of fit this is, in lme4's words.</summary>
    public static string Title(FitResult r)
    {
        bool lmm = IsLinearMixedModel(r);
        return r.Method switch
        {
            FitMethod.Laplace => "Generalized linear mixed model fit by maximum likelihood (Laplace Approximation) [glmerMod]",
            FitMethod.Agq => $"Generalized linear mixed model fit by maximum likelihood (Adaptive Gauss-Hermite Quadrature, nAGQ = {r.NAgq}) [glmerMod]",
            FitMethod.Pql => "Generalized linear mixed model fit by penalized quasi-likelihood (glmmPQL)",
            FitMethod.Reml => lmm ? "Linear mixed model fit by REML [lmerMod]" : "Mixed model fit by REML",
            _ => lmm ? "Linear mixed model fit by maximum likelihood [lmerMod]" : "Generalized linear mixed model fit by maximum likelihood [glmerMod]",
        };
    }

    /// <summary>The note printed for PQL fits, which have no likelihood.</summary>
    public const string PqlNote =
        "PQL maximises no likelihood, so there is no logLik, AIC, BIC or deviance; its standard errors and " +
        "tests are approximate, and its estimates are biased (variances and effects shrunk toward zero) for " +
        "binary data and small counts. Use Laplace or adaptive quadrature for inference.";

    private static bool IsLinearMixedModel(FitResult r) =>
        r.Family == FamilyKind.Gaussian && r.Link == LinkKind.Identity && r.Method is FitMethod.Reml or FitMethod.Ml;

    private static bool IsPql(FitResult r) => r.Method == FitMethod.Pql;

    private static IEnumerable<string> HeaderLines(FitResult r, string? dataName)
    {
        yield return Title(r);
        yield return $" Family: {FamilyNames.RName(r.Family)}  ( {FamilyNames.RName(r.Link)} )";
        yield return $"Formula: {r.Formula}";
        if (!string.IsNullOrEmpty(dataName))
            yield return $"   Data: {dataName}";
        yield return $" Device: {r.Device}";
    }

    private static IEnumerable<string> CriterionLines(FitResult r)
    {
        if (r.RemlCriterion is { } reml)
        {
            yield return "REML criterion at convergence: " + RFormat.Format(RFormat.Round(reml, 1), 7);
            yield break;
        }
        if (r.LogLik is { } ll)
        {
            var values = new[] { r.Aic ?? double.NaN, r.Bic ?? double.NaN, ll, r.Deviance ?? double.NaN }
                .Select(v => RFormat.Round(v, 1)).ToArray();
            var cells = RFormat.Format(values, 7).Append(RFormat.Format(r.DfResid, 7)).ToArray();
            foreach (var l in NamedVector(new[] { "AIC", "BIC", "logLik", "deviance", "df.resid" }, cells))
                yield return l;
            yield break;
        }
        foreach (var l in Wrap(IsPql(r) ? PqlNote : "This fit has no likelihood: logLik, AIC and BIC are not available.", 100))
            yield return l;
    }

    private static IEnumerable<string> ScaledResidualLines(double[] residuals)
    {
        yield return "Scaled residuals:";
        var q = RFormat.Quantiles(residuals, new[] { 0, 0.25, 0.5, 0.75, 1 });
        var cells = RFormat.Format(RFormat.ZapSmall(q, Digits + 1), Digits);
        foreach (var l in NamedVector(new[] { "Min", "1Q", "Median", "3Q", "Max" }, cells))
            yield return l;
    }

    /// <summary>R's print of a named vector: every column as wide as the widest name or value, right-justified.</summary>
    private static IEnumerable<string> NamedVector(string[] names, string[] cells)
    {
        int w = Math.Max(names.Max(n => n.Length), cells.Max(c => c.Length));
        yield return string.Join(" ", names.Select(n => n.PadLeft(w)));
        yield return string.Join(" ", cells.Select(c => c.PadLeft(w)));
    }

    private static double? ResidualSd(FitResult r)
    {
        if (r.ResidualSd is { } s) return s;
        if (r.Family == FamilyKind.Gaussian && r.Dispersion is { } d)
        {
            if (d.Name is "sigma") return d.Value;
            if (d.Name is "sigma^2") return Math.Sqrt(d.Value);
        }
        return null;
    }

    private static List<string> RandomEffectsLines(FitResult r)
    {
        var lines = new List<string> { "Random effects:" };
        var groups = new List<string>();
        var names = new List<string>();
        var sds = new List<double>();
        var corrByRow = new List<double[]>();
        var factorNames = FitResultJson.UniqueNames(r.VarCorr.Select(v => v.Factor));
        int maxCorrCols = 0;
        for (int k = 0; k < r.VarCorr.Count; k++)
        {
            var vc = r.VarCorr[k];
            int q = vc.TermNames.Length;
            bool hasCorr = q > 1 && vc.Corr.Length >= q * (q - 1) / 2;
            if (hasCorr) maxCorrCols = Math.Max(maxCorrCols, q - 1);
            for (int i = 0; i < q; i++)
            {
                groups.Add(i == 0 ? factorNames[k] : "");
                names.Add(vc.TermNames[i]);
                sds.Add(i < vc.Sd.Length ? vc.Sd[i] : double.NaN);
                var row = new double[hasCorr ? i : 0];
                for (int j = 0; j < row.Length; j++)
                    row[j] = vc.Corr[i * (i - 1) / 2 + j];
                corrByRow.Add(row);
            }
        }
        if (ResidualSd(r) is { } rsd)
        {
            groups.Add("Residual");
            names.Add("");
            sds.Add(rsd);
            corrByRow.Add(Array.Empty<double>());
        }

        var variances = RFormat.Format(sds.Select(s => s * s).ToArray(), Digits);
        var sdCells = RFormat.Format(sds, Digits);
        var allCorr = corrByRow.SelectMany(c => c).ToArray();
        var corrCells = RFormat.PadLeftToCommonWidth(allCorr.Select(c => RFormat.FormatFixed(RFormat.Round(c, 2), 2)).ToArray());

        var headers = new List<string> { "Groups", "Name", "Variance", "Std.Dev." };
        for (int j = 0; j < maxCorrCols; j++) headers.Add(j == 0 ? "Corr" : "");
        var rows = new List<string[]>();
        int next = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            var row = new List<string> { groups[i], names[i], variances[i], sdCells[i] };
            for (int j = 0; j < maxCorrCols; j++)
                row.Add(j < corrByRow[i].Length ? corrCells[next++] : "");
            rows.Add(row.ToArray());
        }
        lines.AddRange(Table(headers.ToArray(), rows, rightAligned: new bool[headers.Count], prefix: " "));
        var groupText = string.Join("; ", r.NGroups.Select(g => $"{g.Factor}, {g.Levels}"));
        lines.Add($"Number of obs: {r.NObs}, groups:  {groupText}");
        return lines;
    }

    private static List<string> FixedEffectsLines(FitResult r)
    {
        var lines = new List<string> { "Fixed effects:" };
        var fe = r.FixedEffects;
        if (fe.Count == 0)
        {
            lines.Add("(none)");
            return lines;
        }
        bool lmm = IsLinearMixedModel(r);
        bool hasScale = r.Family is FamilyKind.Gaussian or FamilyKind.Gamma or FamilyKind.InverseGaussian;
        string testName = lmm || hasScale ? "t value" : "z value";
        bool showP = !lmm;

        // printCoefmat(digits = 4): estimates and SEs rounded together so the smallest shows 4 digits.
        var coefSe = fe.Select(c => c.Estimate).Concat(fe.Select(c => c.StdError)).ToArray();
        var acs = coefSe.Where(v => double.IsFinite(v) && v != 0).Select(Math.Abs).ToArray();
        int digmin = 1 + (acs.Length > 0 ? (int)Math.Floor(Math.Log10(acs.Min())) : 0);
        int roundTo = Math.Max(1, Digits - digmin);
        var csCells = RFormat.Format(coefSe.Select(v => RFormat.Round(v, roundTo)).ToArray(), Digits);
        for (int i = 0; i < coefSe.Length; i++)
        {
            // A nonzero value shown as zero gets its own format (printCoefmat's not.both.0).
            if (coefSe[i] != 0 && double.IsFinite(coefSe[i])
                && double.TryParse(csCells[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var shown)
                && shown == 0)
                csCells[i] = RFormat.Format(coefSe[i], Digits - 1);
        }
        // Test statistics rounded to 3 decimals, then 4 significant digits (current lme4 does not zap them).
        var zCells = RFormat.Format(fe.Select(c => RFormat.Round(c.ZValue, Digits - 1)).ToArray(), Digits);
        MarkUnavailable(csCells, coefSe);
        MarkUnavailable(zCells, fe.Select(c => c.ZValue).ToArray());

        var headers = new List<string> { "", "Estimate", "Std. Error", testName };
        var right = new List<bool> { false, true, true, true };
        string[]? pCells = null, stars = null;
        if (showP)
        {
            var p = fe.Select(c => c.PValue).ToArray();
            pCells = RFormat.FormatPValues(p, Digits - 1);
            MarkUnavailable(pCells, p);
            headers.Add("Pr(>|z|)");
            right.Add(true);
            if (p.Any(v => v < 0.1))
            {
                stars = p.Select(RFormat.SignifStars).ToArray();
                int w = stars.Max(s => s.Length);
                stars = stars.Select(s => s.PadRight(w)).ToArray();
                headers.Add("");
                right.Add(true);
            }
        }
        var rows = new List<string[]>();
        for (int i = 0; i < fe.Count; i++)
        {
            var row = new List<string> { fe[i].Name, csCells[i], csCells[fe.Count + i], zCells[i] };
            if (pCells is not null) row.Add(pCells[i]);
            if (stars is not null) row.Add(stars[i]);
            rows.Add(row.ToArray());
        }
        lines.AddRange(Table(headers.ToArray(), rows, right.ToArray(), prefix: ""));
        if (stars is not null)
        {
            lines.Add("---");
            lines.Add(RFormat.SignifLegend);
        }
        return lines;
    }

    /// <summary>How R prints a value that is not available: a standard error the fit could not form, and what follows
    /// from it.</summary>
    private const string Unavailable = "NA";

    /// <summary>Cells whose value is NaN (not available) read <see cref="Unavailable"/>, as R's printCoefmat shows them.</summary>
    private static void MarkUnavailable(string[] cells, IReadOnlyList<double> values)
    {
        for (int i = 0; i < cells.Length; i++)
            if (double.IsNaN(values[i])) cells[i] = Unavailable;
    }

    private static List<string> CorrelationLines(FitResult r)
    {
        var lines = new List<string>();
        int p = r.FixedEffects.Count;
        var cov = r.FixedEffectsCovariance;
        if (p < 2 || cov is null || cov.GetLength(0) != p || cov.GetLength(1) != p)
            return lines;
        if (p > MaxCorrelationTerms)
        {
            lines.Add($"Correlation of fixed effects not shown, as p = {p} > {MaxCorrelationTerms}.");
            return lines;
        }
        var names = r.FixedEffects.Select(c => c.Name).ToArray();
        var all = new string[p * p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                all[i * p + j] = RFormat.FormatFixed(RFormat.Round(cov[i, j] / Math.Sqrt(cov[i, i] * cov[j, j]), 3), 3);
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                if (double.IsNaN(cov[i, j] / Math.Sqrt(cov[i, i] * cov[j, j]))) all[i * p + j] = Unavailable;
        all = RFormat.PadLeftToCommonWidth(all);
        var rowNames = RFormat.Abbreviate(names, 11);
        var colNames = RFormat.Abbreviate(names, 6);
        var headers = new[] { "" }.Concat(colNames.Take(p - 1)).ToArray();
        var rows = new List<string[]>();
        for (int i = 1; i < p; i++)
        {
            var row = new string[p];
            row[0] = rowNames[i];
            for (int j = 0; j < p - 1; j++)
                row[j + 1] = j < i ? all[i * p + j] : "";
            rows.Add(row);
        }
        lines.Add("Correlation of Fixed Effects:");
        lines.AddRange(Table(headers, rows, new bool[p], prefix: ""));
        return lines;
    }

    private static List<string> TailLines(FitResult r)
    {
        var lines = new List<string>();
        if (r.Dispersion is { } d)
            lines.Add($"Dispersion parameter for {FamilyNames.RName(r.Family)} family ({d.Name}): {RFormat.Format(d.Value, Digits)}");
        var seconds = RFormat.Format(r.Seconds, 3);
        lines.Add(r.Converged
            ? $"Optimizer converged in {r.Iterations} iterations ({r.FunctionEvaluations} function evaluations, {seconds} s)."
            : $"Optimizer did not converge: stopped after {r.Iterations} iterations ({r.FunctionEvaluations} function evaluations, {seconds} s).");
        foreach (var m in r.Messages)
            lines.AddRange(m.Split('\n'));
        if (r.Singular && !r.Messages.Any(m => m.Contains("singular", StringComparison.OrdinalIgnoreCase)))
            lines.Add("boundary (singular) fit: see help('isSingular')");
        return lines;
    }

    /// <summary>
    /// Rows under headers, columns separated by one space, each as wide as its widest cell; cells left- or
    /// right-justified per column (R prints character matrices left-justified, numbers right).
    /// </summary>
    private static IEnumerable<string> Table(string[] headers, List<string[]> rows, bool[] rightAligned, string prefix)
    {
        var widths = new int[headers.Length];
        for (int c = 0; c < headers.Length; c++)
            widths[c] = Math.Max(headers[c].Length, rows.Count == 0 ? 0 : rows.Max(row => row[c].Length));
        string Line(string[] cells) =>
            prefix + string.Join(" ", cells.Select((cell, c) => rightAligned[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c])));
        yield return Line(headers);
        foreach (var row in rows)
            yield return Line(row);
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}

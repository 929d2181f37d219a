using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Inference;

/// <summary>One row of the table: a fit, and its test against the row above (null in the first row).</summary>
public sealed record AnovaRow(ComparedFit Fit, double? Chisq, int? Df, double? P);

/// <summary>The table of <c>anova(m0, m1, ...)</c>: the fits by parameter count, each tested against the one
/// before; notes say what the user should know (data not checked, fits not converged, REML compared).</summary>
public sealed record AnovaTable(IReadOnlyList<AnovaRow> Rows, IReadOnlyList<string> Notes);

/// <summary>
/// Likelihood-ratio tests between nested fits, as lme4's <c>anova(m0, m1, ...)</c>: the fits ordered by their number
/// of parameters, each compared with the one before by Chisq = 2 (logLik1 - logLik0) (0 if negative, as lme4) on the
/// difference in parameters. Fits that such a test cannot compare are refused, naming the file and the reason.
/// </summary>
public static class LikelihoodRatioTest
{
    /// <summary>Log-likelihoods may drop this much from the smaller model to the larger before the note says so.</summary>
    private const double LogLikSlack = 1e-6;

    public static AnovaTable Compare(IReadOnlyList<ComparedFit> fits)
    {
        if (fits.Count < 2) throw new GlmmException("a likelihood-ratio test needs at least two fits");
        var notes = new List<string>();
        foreach (var f in fits) CheckHasLikelihood(f);
        var first = fits[0];
        foreach (var f in fits.Skip(1)) CheckComparable(first, f, notes);
        CheckReml(fits);
        var ordered = fits.OrderBy(f => f.ParameterCount).ToList();
        for (int i = 1; i < ordered.Count; i++)
            if (ordered[i].ParameterCount == ordered[i - 1].ParameterCount)
                throw new GlmmException($"{ordered[i - 1].Source} and {ordered[i].Source} have the same number of parameters ({ordered[i].ParameterCount}): they are not nested, so a likelihood-ratio test does not apply (compare their AIC and BIC instead)");
        var rows = new List<AnovaRow> { new(ordered[0], null, null, null) };
        for (int i = 1; i < ordered.Count; i++)
        {
            var (small, large) = (ordered[i - 1], ordered[i]);
            NoteNesting(small, large, notes);
            double difference = large.LogLik!.Value - small.LogLik!.Value;
            if (difference < -LogLikSlack)
                notes.Add($"{large.Name} has more parameters than {small.Name} but a lower log-likelihood ({large.LogLik:G8} < {small.LogLik:G8}): one of them has not reached its optimum, or they are not nested; Chisq is set to 0, as lme4 does");
            double chisq = 2 * Math.Max(0, difference);
            int df = large.ParameterCount - small.ParameterCount;
            rows.Add(new AnovaRow(large, chisq, df, ChiSquare.UpperTail(chisq, df)));
        }
        foreach (var f in fits.Where(f => !f.Converged))
            notes.Add($"{f.Source} did not converge: its log-likelihood may not be its maximum, and the test built on it may mislead");
        return new AnovaTable(rows, notes);
    }

    private static void CheckHasLikelihood(ComparedFit f)
    {
        if (f.Method == FitMethod.Pql)
            throw new GlmmException($"{f.Source} is a PQL fit: PQL maximises no likelihood, so a likelihood-ratio test is not defined; refit with --method laplace or agq");
        if (f.Method == FitMethod.Bayes)
            throw new GlmmException($"{f.Source} is a Bayesian fit: its estimates are posterior summaries, not maximum-likelihood ones, so the likelihood-ratio test does not apply; refit with --method laplace or agq");
        if (f.LogLik is null)
            throw new GlmmException($"{f.Source} records no log-likelihood");
    }

    private static void CheckComparable(ComparedFit a, ComparedFit b, List<string> notes)
    {
        if (a.Response != b.Response)
            throw new GlmmException($"{a.Source} and {b.Source} model different responses ('{a.Response}' and '{b.Response}'): a likelihood-ratio test compares models of the same response");
        if (a.Family != b.Family || a.Link != b.Link)
            throw new GlmmException($"{a.Source} and {b.Source} use different families or links ({Describe(a)} and {Describe(b)}): such models are not nested; compare their AIC instead");
        if (a.Data is { } da && b.Data is { } db)
        {
            if (da.Sha256 != db.Sha256 || da.Bytes != db.Bytes)
                throw new GlmmException($"{a.Source} and {b.Source} were fitted to different data ('{da.FileName}', {da.Bytes} bytes, and '{db.FileName}', {db.Bytes} bytes, whose SHA-256 sums differ): fit both models to one file");
        }
        else
        {
            notes.Add($"{(a.Data is null ? a.Source : b.Source)} does not record its data file (written by an older glmm or by the library), so only the numbers of rows were compared");
        }
        if (a.NObs != b.NObs)
            throw new GlmmException($"{a.Source} and {b.Source} used different numbers of rows ({a.NObs} and {b.NObs}; missing values in a column only one model uses drop rows): fit both models to the same rows");
        if (!SameLikelihood(a, b))
            throw new GlmmException($"{a.Source} and {b.Source} approximate the likelihood differently ({ApproximationName(a)} and {ApproximationName(b)}): refit both with the same --method and --nagq");
    }

    /// <summary>REML log-likelihoods compare only between fits of the same fixed effects (lme4 refits with ML otherwise).</summary>
    private static void CheckReml(IReadOnlyList<ComparedFit> fits)
    {
        int reml = fits.Count(f => f.Method == FitMethod.Reml);
        if (reml == 0) return;
        if (reml < fits.Count)
            throw new GlmmException($"{fits.First(f => f.Method == FitMethod.Reml).Source} is a REML fit and {fits.First(f => f.Method != FitMethod.Reml).Source} is not: refit both with --method ml");
        var fixedEffects = fits[0].FixedEffects.Order(StringComparer.Ordinal).ToArray();
        foreach (var f in fits.Skip(1))
            if (!f.FixedEffects.Order(StringComparer.Ordinal).SequenceEqual(fixedEffects))
                throw new GlmmException($"{fits[0].Source} and {f.Source} are REML fits with different fixed effects: their REML likelihoods are of different data (the residuals of different regressions) and do not compare; refit both with --method ml, as lme4's anova does");
    }

    private static void NoteNesting(ComparedFit small, ComparedFit large, List<string> notes)
    {
        var missing = small.FixedEffects.Except(large.FixedEffects, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
            notes.Add($"{small.Name}'s fixed effects {string.Join(", ", missing)} are not among {large.Name}'s: check that {small.Name} is nested in {large.Name}, as the test assumes");
    }

    /// <summary>Same method and nodes; for the Gaussian with the identity link ML, Laplace and AGQ are all exact.
    /// REML against anything is left to <see cref="CheckReml"/>, which says what to do.</summary>
    private static bool SameLikelihood(ComparedFit a, ComparedFit b)
    {
        if (a.Method == FitMethod.Reml || b.Method == FitMethod.Reml) return true;
        if (a.Family == FamilyKind.Gaussian && a.Link == LinkKind.Identity) return true;
        return a.Method == b.Method && (a.Method != FitMethod.Agq || a.NAgq == b.NAgq);
    }

    private static string ApproximationName(ComparedFit f) => f.Method == FitMethod.Agq ? $"agq with {f.NAgq} nodes" : FitMethodNames.Name(f.Method);

    private static string Describe(ComparedFit f) => $"{FamilyNames.RName(f.Family)}({FamilyNames.RName(f.Link)})";
}

using GlmmGpu.Results;
using Xunit;
using GlmmGpu.Fitting;

namespace GlmmGpu.Tests.Results;

/// <summary>A standard error the fit could not form prints as R prints a missing value, NA, never as NaN.</summary>
public class UnavailableStandardErrorsTests
{
    [Fact]
    public void UnavailableStandardErrorsAndWhatFollowsFromThemPrintAsNA()
    {
        var fit = WithoutStandardError(SampleFits.CbppLaplace(), "period4");
        var text = SummaryFormatter.Format(fit, "cbpp.csv");
        Assert.DoesNotContain("NaN", text);
        var lines = text.Split('\n');
        var coefficients = lines.SkipWhile(l => !l.StartsWith("Fixed effects:", StringComparison.Ordinal)).TakeWhile(l => l.Length > 0).ToArray();
        var row = coefficients.Single(l => l.StartsWith("period4 ", StringComparison.Ordinal));
        Assert.Equal(new[] { "period4", "-1.5798", "NA", "NA", "NA" }, row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // The other coefficients keep their numbers, and their correlations with period4 read NA.
        Assert.Contains(coefficients, l => l.StartsWith("period2 ", StringComparison.Ordinal) && l.Contains("0.3032"));
        var corr = lines.SkipWhile(l => !l.StartsWith("Correlation", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "period4", "NA", "NA", "NA" }, corr.Single(l => l.StartsWith("period4", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The fit with one coefficient's standard error, Wald statistics and covariances not available.</summary>
    private static FitResult WithoutStandardError(FitResult r, string name)
    {
        int k = r.FixedEffects.ToList().FindIndex(c => c.Name == name);
        var cov = (double[,])r.FixedEffectsCovariance.Clone();
        for (int i = 0; i < cov.GetLength(0); i++) cov[i, k] = cov[k, i] = double.NaN;
        var fixedEffects = r.FixedEffects.Select((c, i) => i == k ? c with { StdError = double.NaN, ZValue = double.NaN, PValue = double.NaN } : c).ToArray();
        return new FitResult
        {
            Formula = r.Formula, Family = r.Family, Link = r.Link, Method = r.Method, NAgq = r.NAgq, Record = r.Record, NObs = r.NObs,
            NGroups = r.NGroups, FixedEffects = fixedEffects, FixedEffectsCovariance = cov, VarCorr = r.VarCorr, LogLik = r.LogLik,
            ParameterCount = r.ParameterCount, Converged = false, Singular = r.Singular, Ranef = r.Ranef, ScaledResiduals = r.ScaledResiduals,
            Messages = r.Messages,
        };
    }
}

using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;

namespace GlmmGpu.Fitting;

/// <summary>
/// What the response alone rules out: an outcome with no variation (refused before any estimator runs), and a Gaussian
/// response the link's mean cannot reach. Separation by the fixed effects is <see cref="SeparationCheck"/>'s.
/// </summary>
internal static class OutcomeChecks
{
    /// <summary>The response as the formula writes it.</summary>
    public static string ResponseLabel(ModelFrame frame) => frame.Formula.Response switch
    {
        BinomialResponse b => $"cbind({b.Successes.Text}, {b.Failures.Text})",
        SingleResponse s => s.Value.Text,
        _ => "the response",
    };

    /// <summary>
    /// Refuses a response with no variation over the rows that carry weight: a binomial outcome 0 in every row (or 1 in
    /// every row), a count 0 in every row, a Gaussian, Gamma or inverse Gaussian response with one value. No model can
    /// be fitted to it: its intercept or its residual variance would run to the boundary.
    /// </summary>
    public static void RequireVariation(ModelFrame frame)
    {
        var y = frame.Response;
        var w = frame.Weights;
        string label = ResponseLabel(frame);
        string family = FamilyNames.RName(frame.Family);
        string cannot = $"a {family} model cannot be fitted to an outcome with no variation";
        bool cbind = frame.Formula.Response is BinomialResponse;
        int first = Array.FindIndex(w, v => v > 0);
        if (first < 0) throw new GlmmException($"the response '{label}' has no row with a positive weight (or binomial trials): there is nothing to fit");
        switch (frame.Family)
        {
            case FamilyKind.Binomial:
                if (AllRows(y, w, (yi, wi) => yi == 0))
                    throw new GlmmException(cbind ? $"the response '{label}' has no successes in any row: {cannot}" : $"the response '{label}' is 0 in every row: {cannot}");
                if (AllRows(y, w, (yi, wi) => yi == wi))
                    throw new GlmmException(cbind ? $"the response '{label}' has no failures in any row: {cannot}" : $"the response '{label}' is 1 in every row: {cannot}");
                break;
            case FamilyKind.Poisson:
            case FamilyKind.NegativeBinomial:
                if (AllRows(y, w, (yi, wi) => yi == 0)) throw new GlmmException($"the response '{label}' is 0 in every row: {cannot}");
                break;
            default:
                double value = y[first];
                if (AllRows(y, w, (yi, wi) => yi == value))
                    throw new GlmmException($"the response '{label}' is {value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture)} in every row: {cannot}");
                break;
        }
    }

    private static bool AllRows(double[] y, double[] w, Func<double, double, bool> test)
    {
        for (int i = 0; i < y.Length; i++)
            if (w[i] > 0 && !test(y[i], w[i])) return false;
        return true;
    }

    /// <summary>For a Gaussian model with a link whose mean is positive (log, inverse, 1/mu^2, sqrt), a note on the
    /// responses at or below zero that the mean cannot reach; null otherwise.</summary>
    public static string? UnreachableResponse(ModelFrame frame)
    {
        if (frame.Family != FamilyKind.Gaussian || frame.Link == LinkKind.Identity) return null;
        int count = 0;
        for (int i = 0; i < frame.RowCount; i++)
            if (frame.Weights[i] > 0 && frame.Response[i] <= 0) count++;
        if (count == 0) return null;
        return $"the response '{ResponseLabel(frame)}' is 0 or negative in {count} of {frame.RowCount} rows, where the mean of the " +
            $"{FamilyNames.RName(frame.Link)} link cannot go (use the identity link, or a response on a scale the link can reach)";
    }
}

using GlmmGpu.Kernels.Numerics;
namespace GlmmGpu.Fitting.Inference;

/// <summary>lme4's <c>confint(method = "Wald")</c>: estimate -+ z SE for the fixed effects; the variance parameters
/// have no Wald interval there (NA), nor here.</summary>
internal static class WaldIntervals
{
    public static ConfidenceIntervals For(FitResult fit, double level)
    {
        double z = NormalQuantile.Of((1 + level) / 2);
        var fixef = fit.FixedEffects.Select(c => new Interval(c.Estimate - z * c.StdError, c.Estimate + z * c.StdError)).ToArray();
        return new ConfidenceIntervals
        {
            Method = IntervalMethod.Wald,
            Level = level,
            FixedNames = fit.FixedEffects.Select(c => c.Name).ToArray(),
            Fixef = fixef,
            VarCorr = fit.VarCorr.Select(Unavailable).ToArray(),
            DispersionName = fit.Dispersion?.Name,
            Dispersion = fit.Dispersion is null ? null : Interval.Unavailable,
        };
    }

    public static ComponentIntervals Unavailable(VarianceComponent v) =>
        new(v.Factor, v.TermNames, v.Sd.Select(_ => Interval.Unavailable).ToArray(), v.Corr.Select(_ => Interval.Unavailable).ToArray());
}

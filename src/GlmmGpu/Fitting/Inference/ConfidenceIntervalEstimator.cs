using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Inference;

/// <summary>Forms the intervals <see cref="IntervalOptions"/> asks for, after a fit, on the fit's frame: Wald for every
/// method, the profile and the bootstrap for likelihood fits (Laplace, AGQ, ML, REML), with one grouping factor or several.</summary>
internal static class ConfidenceIntervalEstimator
{
    public static ConfidenceIntervals Compute(ModelFrame frame, FitResult fit, IntervalOptions options, FitOptions fitOptions)
    {
        options.Check(fit.Method);
        return options.Method switch
        {
            IntervalMethod.Wald => WaldIntervals.For(fit, options.Level),
            IntervalMethod.Profile when frame.RandomEffects.Length > 1 => CrossedProfile.Compute(frame, fit, options.Level, fitOptions),
            IntervalMethod.Profile when fit.Method is FitMethod.Ml or FitMethod.Reml =>
                LmmProfile.Compute(frame, fit, options.Level, fitOptions.Execution, fitOptions.MaxIterations),
            IntervalMethod.Profile => GlmmProfile.Compute(frame, fit, options.Level, fitOptions.Execution),
            _ => ParametricBootstrap.Compute(frame, fit, options, fitOptions),
        };
    }
}

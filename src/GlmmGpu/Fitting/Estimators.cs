using GlmmGpu.Model;
using GlmmGpu.Results;

namespace GlmmGpu.Fitting;

/// <summary>Dispatches a model frame to the estimator its method names.</summary>
internal static class Estimators
{
    public static FitResult Fit(ModelFrame frame, FitOptions options) => options.Method switch
    {
        FitMethod.Laplace or FitMethod.Agq => MaximumLikelihoodEstimator.Fit(frame, options),
        _ => throw new GlmmException($"the {options.Method.ToString().ToLowerInvariant()} method is not available yet; use laplace or agq"),
    };
}

using GlmmGpu.Fitting.Linear;
using GlmmGpu.Fitting.Pql;
using GlmmGpu.Model;
using GlmmGpu.Results;

namespace GlmmGpu.Fitting;

/// <summary>Dispatches a model frame to the estimator its method names.</summary>
internal static class Estimators
{
    public static FitResult Fit(ModelFrame frame, FitOptions options) => options.Method switch
    {
        FitMethod.Laplace or FitMethod.Agq => MaximumLikelihoodEstimator.Fit(frame, options),
        FitMethod.Ml or FitMethod.Reml => LinearMixedModelEstimator.Fit(frame, options),
        FitMethod.Pql => PqlEstimator.Fit(frame, options),
        _ => throw new GlmmException($"unknown method {options.Method}"),
    };
}

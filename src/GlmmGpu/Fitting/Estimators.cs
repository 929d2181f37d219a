using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Fitting.Pql;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting;

/// <summary>Dispatches a model frame to the estimator its method names, once its response is known to vary.</summary>
internal static class Estimators
{
    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        OutcomeChecks.RequireVariation(frame);
        if (frame.RandomEffects.Length > 1) return CrossedEstimators.Fit(frame, options);
        return options.Method switch
        {
            FitMethod.Laplace or FitMethod.Agq => MaximumLikelihoodEstimator.Fit(frame, options),
            FitMethod.Ml or FitMethod.Reml => LinearMixedModelEstimator.Fit(frame, options),
            FitMethod.Pql => PqlEstimator.Fit(frame, options),
            FitMethod.Bayes => Bayes.BayesEstimator.Fit(frame, options),
            _ => throw new GlmmException($"unknown method {options.Method}"),
        };
    }
}

using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>The estimators for a model with several grouping factors (crossed or nested), by method; a model with one
/// grouping factor never comes here and keeps its own path.</summary>
internal static class CrossedEstimators
{
    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        string factors = string.Join(", ", frame.RandomEffects.Select(b => $"'{b.GroupingFactor}'"));
        return options.Method switch
        {
            FitMethod.Ml or FitMethod.Reml => CrossedLinearEstimator.Fit(frame, options),
            FitMethod.Laplace => CrossedLaplaceEstimator.Fit(frame, options),
            FitMethod.Agq => throw new GlmmException(
                $"adaptive Gauss-Hermite quadrature (--nagq {options.NAgq}) needs a single grouping factor, and the formula has {frame.RandomEffects.Length} ({factors}), " +
                "as in lme4 (glmer's nAGQ > 1 takes one scalar random-effects term): use --method laplace"),
            FitMethod.Pql => CrossedPqlEstimator.Fit(frame, options),
            FitMethod.Bayes => Bayes.SeveralTermsBayesEstimator.Fit(frame, options),
            _ => throw new GlmmException($"unknown method {options.Method}"),
        };
    }
}

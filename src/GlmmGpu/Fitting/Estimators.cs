using GlmmGpu.Model;
using GlmmGpu.Results;

namespace GlmmGpu.Fitting;

/// <summary>Dispatches a model frame to the estimator its method names.</summary>
internal static class Estimators
{
    public static FitResult Fit(ModelFrame frame, FitOptions options) => throw new NotImplementedException("estimators: in progress");
}

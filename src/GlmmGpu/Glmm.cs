using GlmmGpu.Engines;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Results;
using GlmmGpu.Specification;

namespace GlmmGpu;

/// <summary>
/// The front door: <c>Glmm.Fit(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Binomial), options)</c>.
/// Model (the frame), fitting (the estimators) and the result are kept apart, as in MixedModels.jl.
/// </summary>
public static class Glmm
{
    /// <summary>Parse the formula and build the validated model frame.</summary>
    /// <param name="parallel">Threads and scheduler for the frame's passes (null: all cores), as a fit's <see cref="ExecutionOptions.Parallel"/>.</param>
    public static ModelFrame Frame(DataTable data, ModelSpec spec, ParallelOptions? parallel = null)
    {
        var formula = FormulaParser.Parse(spec.Formula);
        var link = spec.Link ?? FamilyNames.DefaultLink(spec.Family);
        if (!FamilyNames.Allows(spec.Family, link))
            throw new GlmmException($"the {FamilyNames.RName(spec.Family)} family does not take the {FamilyNames.RName(link)} link");
        return ModelFrameBuilder.Build(data, formula, spec.Family, link, spec.Weights, parallel);
    }

    public static FitResult Fit(DataTable data, ModelSpec spec, FitOptions? options = null)
    {
        options ??= new FitOptions();
        var frame = Frame(data, spec, options.Execution.Parallel);
        Diagnostics.Mark("model frame");
        return Fit(frame, options);
    }

    public static FitResult Fit(ModelFrame frame, FitOptions options) => Estimators.Fit(frame, options);

    /// <summary>Confidence intervals for a fit of <paramref name="frame"/> (lme4's <c>confint</c>, or <c>bootMer</c>'s
    /// percentile intervals), with the settings the fit was given.</summary>
    public static Fitting.Inference.ConfidenceIntervals Confint(ModelFrame frame, FitResult fit, Fitting.Inference.IntervalOptions intervals, FitOptions options) =>
        Fitting.Inference.ConfidenceIntervalEstimator.Compute(frame, fit, intervals, options);
}

using GlmmGpu.Fitting;

namespace GlmmGpu.Prediction;

/// <summary>The scale of predictions, as lme4's <c>type</c>: the linear predictor, or the mean (the inverse link applied).</summary>
public enum PredictionType { Link, Response }

/// <summary>
/// Which random effects enter, as lme4's <c>re.form</c>: <see cref="All"/> (<c>re.form = NULL</c>) adds each
/// row's conditional modes; <see cref="None"/> (<c>re.form = NA</c>) gives the population prediction.
/// </summary>
public enum RandomEffectsForm { All, None }

/// <summary>How to predict; the defaults are lme4's (<c>type = "link"</c>, <c>re.form = NULL</c>).</summary>
public sealed record PredictionOptions
{
    public PredictionType Type { get; init; } = PredictionType.Link;
    public RandomEffectsForm ReForm { get; init; } = RandomEffectsForm.All;
}

/// <summary>
/// Predictions, one per row of the new data in its order (NaN where a value the model needs is missing), with
/// how many rows were missing and how many fell in a group the fit did not see (and got b = 0).
/// </summary>
public sealed record PredictionResult(double[] Values, int MissingRows, int NewLevelRows);

using System.Text.Json;
using GlmmGpu.Fitting.Bayes.Grid;

namespace GlmmGpu.Results;

/// <summary>A grid fit's record in its <c>posterior</c> section, in the place of NUTS's <c>sampler</c>: <c>"grid":
/// {algorithm, step, threshold, variance_parameters, points_kept, points_evaluated, refinement, draws, mode_iterations,
/// mode, weight_beyond_threshold, evaluations, seconds}</c>.</summary>
public static class GridJson
{
    public static void Write(GridRecord g, Utf8JsonWriter w)
    {
        w.WriteStartObject("grid");
        w.WriteString("algorithm", "INLA-style grid over the variance parameters (Rue, Martino and Chopin 2009)");
        PosteriorJson.Number(w, "step", g.Settings.Step);
        PosteriorJson.Number(w, "threshold", g.Threshold);
        w.WriteNumber("variance_parameters", g.VarianceParameters);
        w.WriteNumber("points_kept", g.PointsKept);
        w.WriteNumber("points_evaluated", g.PointsEvaluated);
        w.WriteNumber("refinement", g.Refinement);
        w.WriteNumber("draws", g.Settings.Draws);
        w.WriteNumber("mode_iterations", g.ModeIterations);
        w.WriteStartArray("mode");
        foreach (var v in g.Mode) PosteriorJson.Number(w, v);
        w.WriteEndArray();
        PosteriorJson.Number(w, "weight_beyond_threshold", g.WeightBeyondThreshold);
        w.WriteNumber("evaluations", g.Evaluations);
        PosteriorJson.Number(w, "seconds", g.Seconds);
        w.WriteEndObject();
    }
}

using GlmmGpu.Fitting.Bayes.Grid;

namespace GlmmGpu.Results;

/// <summary>The lines a grid fit's summary has in place of the sampler's: the grid's settings and size, and what its
/// table's MCSE, ESS and R-hat columns mean there.</summary>
public static class GridSummaryLines
{
    public static string Header(GridRecord g) =>
        FormattableString.Invariant($"   Grid: {g.VarianceParameters} variance parameter{(g.VarianceParameters == 1 ? "" : "s")}, step {g.Settings.Step:0.###}, ") +
        FormattableString.Invariant($"threshold {g.Threshold:0.###}; {g.PointsKept} points kept, {g.PointsEvaluated} evaluated (deterministic") +
        (g.Settings.Draws > 0 ? FormattableString.Invariant($"; {g.Settings.Draws} independent draws") : "") + ")\n";

    public static string Footer(GridRecord g) =>
        FormattableString.Invariant($"\nGrid: mode found in {g.ModeIterations} Newton iterations; {g.Evaluations} likelihood evaluations in {g.Seconds:0.00} s; ") +
        FormattableString.Invariant($"{100 * g.WeightBeyondThreshold:0.0}% of the weight beyond the threshold\n") +
        "Fixed effects: mixtures over the grid of the conditional normals, skew-corrected; variance parameters: the grid\nrefined " +
        FormattableString.Invariant($"{g.Refinement}-fold by interpolation.\nNo Monte Carlo error: MCSE is 0, and ESS and R-hat do not apply (NA).\n");
}

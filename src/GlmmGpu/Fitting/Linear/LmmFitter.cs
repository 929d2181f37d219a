using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Linear;

/// <summary>
/// Minimises the profiled deviance over theta. Each evaluation is O(clusters) on precomputed cross-products, so
/// BFGS on central-difference gradients costs little next to the one pass over the rows.
/// </summary>
internal static class LmmFitter
{
    public sealed record Result(double[] Theta, Mat3 Lambda, LmmSolution Solution, OptimizationSummary Summary, ParameterLayout Layout);

    /// <param name="progress">Called after each BFGS iteration with the iteration and the criterion (-2 log-likelihood).</param>
    public static Result Fit(LmmSufficientStatistics stats, bool correlated, LmmCriterion criterion, double[]? thetaStart, int maxIterations,
        Action<int, double>? progress = null)
    {
        var layout = new ParameterLayout(0, stats.Q, correlated, hasDispersion: false);
        var theta0 = thetaStart ?? Enumerable.Range(0, layout.ThetaCount).Select(k => layout.IsThetaDiagonal(k) ? 1.0 : 0.0).ToArray();
        Bfgs.Objective objective = (theta, grad) =>
        {
            double f = ProfiledDeviance.Evaluate(stats, layout.Lambda(theta), criterion).Deviance;
            if (!grad.IsEmpty)
            {
                var t = theta.ToArray();
                for (int k = 0; k < t.Length; k++)
                {
                    double h = 1e-6 * Math.Max(1.0, Math.Abs(t[k]));
                    double orig = t[k];
                    t[k] = orig + h;
                    double fp = ProfiledDeviance.Evaluate(stats, layout.Lambda(t), criterion).Deviance;
                    t[k] = orig - h;
                    double fm = ProfiledDeviance.Evaluate(stats, layout.Lambda(t), criterion).Deviance;
                    t[k] = orig;
                    grad[k] = (fp - fm) / (2 * h);
                }
            }
            return double.IsFinite(f) ? f : double.PositiveInfinity;
        };
        var summary = Bfgs.Minimize(objective, theta0, maxIterations, 1e-12, progress);
        var lambda = layout.Lambda(summary.Minimizer);
        var solution = ProfiledDeviance.Evaluate(stats, lambda, criterion);
        return new Result(summary.Minimizer, lambda, solution, summary, layout);
    }
}

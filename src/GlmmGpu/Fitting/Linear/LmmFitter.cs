using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Linear;

/// <summary>
/// Minimises the profiled deviance over theta. Each evaluation is O(clusters) on precomputed cross-products, so
/// BFGS costs little next to the one pass over the rows. With one random effect the gradient is exact
/// (<see cref="ProfiledDeviance.DevianceAndSlope"/>, one pass over the clusters); otherwise central differences.
/// </summary>
internal static class LmmFitter
{
    public sealed record Result(double[] Theta, Mat3 Lambda, LmmSolution Solution, OptimizationSummary Summary, ParameterLayout Layout);

    /// <param name="progress">Called after each BFGS iteration with the iteration and the criterion (-2 log-likelihood).</param>
    /// <param name="previous">A fit of a nearby problem (PQL's last iteration): its theta and curvature start this one.</param>
    public static Result Fit(LmmSufficientStatistics stats, bool correlated, LmmCriterion criterion, Result? previous, int maxIterations,
        Action<int, double>? progress = null)
    {
        var thetaStart = previous?.Theta;
        var layout = new ParameterLayout(0, stats.Q, correlated, hasDispersion: false);
        var theta0 = thetaStart ?? Enumerable.Range(0, layout.ThetaCount).Select(k => layout.IsThetaDiagonal(k) ? 1.0 : 0.0).ToArray();
        var objective = Remembered(stats.Q == 1 ? ExactSlope(stats, criterion) : CentralDifferences(stats, layout, criterion));
        // The scale of each theta: the deviance's curvature is about 2G / theta_dd^2 (G clusters), and a warm start
        // from the last PQL iteration is close enough that a unit first step in that metric is right.
        var h0 = new double[layout.ThetaCount, layout.ThetaCount];
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            var (_, col) = layout.ThetaPosition(k);
            double t = Math.Max(Math.Abs(theta0[layout.ThetaIndex(col, col)]), 0.05);
            h0[k, k] = t * t / (2.0 * stats.G);
        }
        // With the gradient, as BFGS's first call asks for it: that call is then answered from memory.
        double f0 = objective(theta0, new double[layout.ThetaCount]);
        double tolerance = Math.Max(1e-10, 1e-12 * Math.Abs(f0));
        if (previous is not null) h0 = previous.Summary.InverseHessian;
        var summary = Bfgs.Minimize(objective, theta0, maxIterations, tolerance, progress, h0);
        var lambda = layout.Lambda(summary.Minimizer);
        var solution = ProfiledDeviance.Evaluate(stats, lambda, criterion);
        return new Result(summary.Minimizer, lambda, solution, summary, layout);
    }

    private static Bfgs.Objective ExactSlope(LmmSufficientStatistics stats, LmmCriterion criterion) => (theta, grad) =>
    {
        double f = ProfiledDeviance.DevianceAndSlope(stats, theta[0], criterion, out double slope);
        if (!grad.IsEmpty) grad[0] = slope;
        return double.IsFinite(f) ? f : double.PositiveInfinity;
    };

    private static Bfgs.Objective CentralDifferences(LmmSufficientStatistics stats, ParameterLayout layout, LmmCriterion criterion) => (theta, grad) =>
    {
        double f = ProfiledDeviance.Deviance(stats, layout.Lambda(theta), criterion);
        if (!grad.IsEmpty)
        {
            var t = theta.ToArray();
            for (int k = 0; k < t.Length; k++)
            {
                // The deviance grows with n, so its rounding error does too: a step near eps^(1/3) balances
                // that against the truncation error of the central difference.
                double h = 1e-5 * Math.Max(1.0, Math.Abs(t[k]));
                double orig = t[k];
                t[k] = orig + h;
                double fp = ProfiledDeviance.Deviance(stats, layout.Lambda(t), criterion);
                t[k] = orig - h;
                double fm = ProfiledDeviance.Deviance(stats, layout.Lambda(t), criterion);
                t[k] = orig;
                grad[k] = (fp - fm) / (2 * h);
            }
        }
        return double.IsFinite(f) ? f : double.PositiveInfinity;
    };

    /// <summary>Answers a repeat of the last call (same theta, gradient wanted as before or not at all) from memory.</summary>
    private static Bfgs.Objective Remembered(Bfgs.Objective objective)
    {
        double[]? lastTheta = null;
        double[] lastGradient = [];
        double lastValue = 0;
        return (theta, grad) =>
        {
            if (lastTheta is not null && Same(theta, lastTheta) && (grad.IsEmpty || lastGradient.Length == grad.Length))
            {
                lastGradient.AsSpan(0, grad.Length).CopyTo(grad);
                return lastValue;
            }
            lastValue = objective(theta, grad);
            lastTheta = theta.ToArray();
            lastGradient = grad.ToArray();
            return lastValue;
        };
    }

    /// <summary>Element by element (a plain loop: MemoryExtensions.SequenceEqual is much code to compile for one use).</summary>
    private static bool Same(ReadOnlySpan<double> a, double[] b)
    {
        if (a.Length != b.Length) return false;
        for (int k = 0; k < a.Length; k++)
            if (a[k] != b[k]) return false;
        return true;
    }
}

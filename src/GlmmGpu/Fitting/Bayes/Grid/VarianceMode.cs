using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>The variance parameters' posterior mode and the curvature there (the grid's centre and its axes).</summary>
/// <param name="Hessian">-d2 log p(v | y) / dv2 at the mode, by central differences.</param>
internal sealed record VarianceModeResult(double[] Mode, double[,] Hessian, ConditionalGaussian AtMode, int Iterations);

/// <summary>
/// The mode of the variance parameters' log marginal density f(v) = log p(v | y) (the fixed effects integrated out by
/// <see cref="ConditionalFixedEffects"/>): Newton's method with f's gradient and Hessian by central differences (the
/// 2m axis points and 4 per pair of axes, one batch), each step at most 3 standard deviations long and halved while it
/// lowers f. The differencing step is 0.05 at first, then (before the first step is taken) a tenth of each parameter's
/// conditional SD from the last Hessian, so that a sharply determined variance (many clusters) is differenced on its
/// own scale.
/// </summary>
internal static class VarianceMode
{
    private const int MaxIterations = 50;
    /// <summary>Newton's decrement below which the mode is found: within about 0.01 SD of f's top.</summary>
    private const double DecrementTolerance = 1e-4;

    public static VarianceModeResult Find(ConditionalFixedEffects inner, double[] start, double[] betaStart)
    {
        int m = start.Length;
        var v = (double[])start.Clone();
        var centre = inner.Solve([v], [betaStart])[0];
        if (!double.IsFinite(centre.LogDensity))
            throw new GlmmException("the grid's start (the maximum-likelihood fit) has no finite posterior density; use --sampler nuts");
        var steps = Enumerable.Repeat(0.05, m).ToArray();
        bool adapted = false;
        int failures = 0;
        for (int iteration = 1; iteration <= MaxIterations; iteration++)
        {
            var (gradient, hessian) = Differences(inner, v, centre, steps);
            var factor = Dense.Cholesky(hessian);
            double[] step;
            double decrement;
            if (factor is not null)
            {
                step = Dense.Solve(factor, gradient);
                decrement = 0;
                for (int i = 0; i < m; i++) decrement += gradient[i] * step[i];
                if (decrement < DecrementTolerance && adapted) return new VarianceModeResult(v, hessian, centre, iteration);
                for (int i = 0; i < m; i++) steps[i] = Math.Clamp(0.1 / Math.Sqrt(Math.Max(hessian[i, i], 1e-12)), 1e-4, 0.1);
                bool wasAdapted = adapted;
                adapted = true;
                // Differenced again on the parameters' own scale before the first step: a step of 0.05 may span several
                // standard deviations where there are many clusters, and a skewed f's central difference there points
                // the wrong way.
                if (!wasAdapted) continue;
                // At most 3 standard deviations (in the Hessian's metric) per step.
                double length = Math.Sqrt(decrement);
                if (length > 3) for (int i = 0; i < m; i++) step[i] *= 3 / length;
            }
            else
            {
                // Not concave here (far from the mode): a gradient step scaled by the diagonal, at most 0.5 a coordinate.
                step = new double[m];
                for (int i = 0; i < m; i++) step[i] = Math.Clamp(gradient[i] / Math.Max(Math.Abs(hessian[i, i]), 1e-8), -0.5, 0.5);
            }
            var next = new double[m];
            ConditionalGaussian? accepted = null;
            for (int halving = 0; halving < 30 && accepted is null; halving++)
            {
                for (int i = 0; i < m; i++) next[i] = v[i] + step[i];
                var trial = inner.Solve([next], [centre.Mode])[0];
                if (double.IsFinite(trial.LogDensity) && trial.LogDensity >= centre.LogDensity) accepted = trial;
                else for (int i = 0; i < m; i++) step[i] *= 0.5;
            }
            if (accepted is null)
            {
                // The differenced gradient pointed the wrong way: difference again with a quarter of the step.
                if (++failures > 3)
                    throw new GlmmException("the grid could not find the variance parameters' posterior mode (no step raised the density); use --sampler nuts");
                for (int i = 0; i < m; i++) steps[i] *= 0.25;
                continue;
            }
            v = (double[])next.Clone();
            centre = accepted;
        }
        throw new GlmmException($"the grid's search for the variance parameters' posterior mode did not converge in {MaxIterations} iterations; use --sampler nuts");
    }

    /// <summary>f's gradient and -Hessian at <paramref name="v"/> by central differences with the given steps, the
    /// points evaluated in one batch, each from the centre's fixed-effects mode.</summary>
    public static (double[] Gradient, double[,] Hessian) Differences(ConditionalFixedEffects inner, double[] v, ConditionalGaussian centre, double[] steps)
    {
        int m = v.Length;
        var points = new List<double[]>();
        double[] At(params (int Axis, double Sign)[] moves)
        {
            var x = (double[])v.Clone();
            foreach (var (axis, sign) in moves) x[axis] += sign * steps[axis];
            return x;
        }
        for (int i = 0; i < m; i++)
        {
            points.Add(At((i, 1)));
            points.Add(At((i, -1)));
        }
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                points.Add(At((i, 1), (j, 1)));
                points.Add(At((i, 1), (j, -1)));
                points.Add(At((i, -1), (j, 1)));
                points.Add(At((i, -1), (j, -1)));
            }
        var f = inner.Solve(points, points.Select(_ => centre.Mode).ToList()).Select(r => r.LogDensity).ToArray();
        if (f.Any(x => !double.IsFinite(x)))
            throw new GlmmException("the variance parameters' posterior density is not finite near its mode; use --sampler nuts");
        double f0 = centre.LogDensity;
        var gradient = new double[m];
        var hessian = new double[m, m];
        for (int i = 0; i < m; i++)
        {
            double plus = f[2 * i], minus = f[2 * i + 1];
            gradient[i] = (plus - minus) / (2 * steps[i]);
            hessian[i, i] = -(plus - 2 * f0 + minus) / (steps[i] * steps[i]);
        }
        int at = 2 * m;
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++)
            {
                double value = -(f[at] - f[at + 1] - f[at + 2] + f[at + 3]) / (4 * steps[i] * steps[j]);
                hessian[i, j] = hessian[j, i] = value;
                at += 4;
            }
        return (gradient, hessian);
    }
}

using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// Profile-likelihood intervals with several grouping factors (lme4's <c>profile</c> of a model with crossed or nested
/// terms). -log L at psi = (beta, each term's Lambda_k on the response's scale, log phi) comes from the blocked
/// Cholesky: for a linear mixed model, lme4's profiled deviance at theta = Lambda / sigma with the penalised RSS at beta,
/// r^2(theta) + (beta - beta^)' RX'RX (beta - beta^) (Bates et al. 2015, eq. 3.18), its gradient by central differences;
/// for a Laplace fit, glmer's second-stage criterion with its exact gradient. Both are taken to the coordinates of
/// <see cref="CrossedCoordinates"/> (every SD a coordinate) and profiled by <see cref="LikelihoodProfiler"/>. As lme4's,
/// a REML fit is profiled on the ML deviance.
/// </summary>
internal static class CrossedProfile
{
    public static ConfidenceIntervals Compute(ModelFrame frame, FitResult fit, double level, FitOptions options)
    {
        var terms = new CrossedTerms(frame);
        var notes = new List<string>();
        var parallel = options.Execution.Parallel;
        bool linear = fit.Method is FitMethod.Ml or FitMethod.Reml;
        PsiCriterion criterion;
        double[] psiHat;
        if (linear)
        {
            var ml = fit;
            if (fit.Method == FitMethod.Reml)
            {
                ml = CrossedLinearEstimator.Fit(frame, options with { Method = FitMethod.Ml, Progress = null });
                notes.Add("as lme4's, the profile of a REML fit is of the ML deviance (the intervals of the ML fit)");
            }
            double sigma = ml.Dispersion!.Value;
            criterion = new LinearCriterion(frame, terms, parallel);
            psiHat = [.. ml.FixedEffects.Select(c => c.Estimate), .. ml.Record.FinalParameters.Select(t => sigma * t), Math.Log(sigma)];
        }
        else
        {
            criterion = new LaplaceCriterion(CrossedLaplaceCriterion.Create(frame, terms, parallel));
            psiHat = fit.Record.FinalParameters;
        }
        var coordinates = new CrossedCoordinates(frame.P, terms, hasDispersion: psiHat.Length > frame.P + terms.ThetaCount);
        Bfgs.Objective objective = (u, gradient) => NegativeLogLikelihood(criterion, coordinates, u, gradient);
        var uHat = coordinates.FromPsi(psiHat);
        var gradientHat = new double[uHat.Length];
        double fHat = objective(uHat, gradientHat);
        var hessian = Hessian(objective, uHat);
        return GlmmProfile.Assemble(fit, level, uHat, fHat, hessian, objective, coordinates.Covariances, frame.P, frame.Family,
            coordinates.Count > frame.P + coordinates.Covariances.Sum(c => c.Count), notes);
    }

    private static double NegativeLogLikelihood(PsiCriterion criterion, CrossedCoordinates coordinates, ReadOnlySpan<double> u, Span<double> gradient)
    {
        var psi = new double[coordinates.PsiCount];
        coordinates.ToPsi(u, psi);
        double f = criterion.Value(psi);
        if (!double.IsFinite(f)) return double.PositiveInfinity;
        if (gradient.IsEmpty) return f;
        var psiGradient = new double[psi.Length];
        if (criterion.TryGradientOfLast(psiGradient))
        {
            coordinates.Gradient(u, psiGradient, gradient);
            return f;
        }
        // Central differences in u, each step about eps^(1/3) relative to the coordinate.
        var point = u.ToArray();
        for (int k = 0; k < point.Length; k++)
        {
            double h = 1e-5 * Math.Max(1.0, Math.Abs(point[k])), original = point[k];
            point[k] = original + h;
            coordinates.ToPsi(point, psi);
            double up = criterion.Value(psi);
            point[k] = original - h;
            coordinates.ToPsi(point, psi);
            double down = criterion.Value(psi);
            point[k] = original;
            gradient[k] = (up - down) / (2 * h);
        }
        return f;
    }

    /// <summary>-log L's Hessian in u by central differences of its gradient, symmetrised.</summary>
    private static double[,] Hessian(Bfgs.Objective objective, double[] u)
    {
        int n = u.Length;
        var h = new double[n, n];
        var up = new double[n];
        var down = new double[n];
        for (int j = 0; j < n; j++)
        {
            double step = 1e-4 * Math.Max(1.0, Math.Abs(u[j]));
            var point = (double[])u.Clone();
            point[j] = u[j] + step;
            objective(point, up);
            point[j] = u[j] - step;
            objective(point, down);
            for (int i = 0; i < n; i++) h[i, j] = (up[i] - down[i]) / (2 * step);
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) h[i, j] = h[j, i] = (h[i, j] + h[j, i]) / 2;
        objective(u, up);
        return h;
    }

    /// <summary>-log L at psi, and the exact gradient of its last evaluation where there is one.</summary>
    private abstract class PsiCriterion
    {
        public abstract double Value(double[] psi);
        public virtual bool TryGradientOfLast(Span<double> gradient) => false;
    }

    /// <summary>The linear mixed model's -log L at (beta, Lambda, log sigma): half the ML deviance.</summary>
    private sealed class LinearCriterion(ModelFrame frame, CrossedTerms terms, ParallelOptions parallel) : PsiCriterion
    {
        private const double LogTwoPi = 1.8378770664093453;
        private readonly CrossedLinearEstimator.Profiler profiler = CrossedLinearEstimator.Profiler.Create(frame, terms, LmmCriterion.Ml, parallel);

        public override double Value(double[] psi)
        {
            int p = frame.P, n = frame.RowCount;
            double logSigma = psi[^1], sigma = Math.Exp(logSigma);
            var theta = psi.AsSpan(p, terms.ThetaCount).ToArray();
            for (int t = 0; t < theta.Length; t++) theta[t] /= sigma;
            if (profiler.At(theta) is not { } f) return double.PositiveInfinity;
            double quadratic = 0;
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) quadratic += (psi[a] - f.Beta[a]) * f.Schur[a, b] * (psi[b] - f.Beta[b]);
            return 0.5 * (profiler.Factor.LogDeterminant + n * (LogTwoPi + 2 * logSigma) + (f.Rss + quadratic) / (sigma * sigma)
                - profiler.Products.SumLogWeights);
        }
    }

    /// <summary>glmer's second-stage criterion: the Laplace -log L at (beta, theta, log phi) with its exact gradient.</summary>
    private sealed class LaplaceCriterion(CrossedLaplaceCriterion laplace) : PsiCriterion
    {
        public override double Value(double[] psi) => laplace.NegativeLogLikelihood(psi);

        public override bool TryGradientOfLast(Span<double> gradient) => laplace.TryGradientOfLast(gradient);
    }
}

using GlmmGpu.Engines;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// Profile-likelihood intervals of a linear mixed model, on the cross-products of one pass over the rows: the
/// deviance as a function of u = (beta, the SDs and a_ij of <see cref="CovarianceCoordinates"/> in response units,
/// log sigma) from lme4's profiled deviance at theta = Lambda / sigma, its penalised RSS at beta being
/// r^2(theta) + (beta - beta^)' RX'RX (beta - beta^) (Bates et al. 2015, eq. 3.18). Each evaluation is O(clusters), so
/// the gradient is central differences. As lme4's, a REML fit is profiled on the ML deviance.
/// </summary>
internal static class LmmProfile
{
    private const double LogTwoPi = 1.8378770664093453;

    public static ConfidenceIntervals Compute(ModelFrame frame, FitResult fit, double level, ExecutionOptions execution, int maxIterations)
    {
        var setup = Prepare(frame, fit, execution, maxIterations);
        var notes = new List<string>();
        if (setup.RemlRefitted) notes.Add("as lme4's, the profile of a REML fit is of the ML deviance (the intervals of the ML fit)");
        return GlmmProfile.Assemble(fit, level, setup.Optimum, setup.Minimum, setup.Hessian, setup.Deviance.Value, setup.Covariance, frame.P,
            FamilyKind.Gaussian, hasDispersion: true, notes, reordered: setup.Reordered);
    }

    /// <summary>The profile's zeta with coordinate <paramref name="coordinate"/> of u (fixed effects, SDs and a_ij, log sigma)
    /// held at <paramref name="value"/>: where another implementation's end lies on this profile.</summary>
    internal static double ZetaAt(ModelFrame frame, FitResult fit, ExecutionOptions execution, int maxIterations, int coordinate, double value)
    {
        var setup = Prepare(frame, fit, execution, maxIterations);
        var inverse = LikelihoodProfiler.Covariance(setup.Hessian, out _) ?? throw new GlmmException("the deviance's Hessian is not finite");
        return new LikelihoodProfiler(setup.Deviance.Value, setup.Optimum, setup.Minimum, inverse).Zeta(coordinate, value);
    }

    private sealed record Setup(Deviance Deviance, CovarianceCoordinates Covariance, double[] Optimum, double Minimum, double[,] Hessian,
        bool RemlRefitted, GlmmProfile.Reparameterisation Reordered);

    private static Setup Prepare(ModelFrame frame, FitResult fit, ExecutionOptions execution, int maxIterations)
    {
        var block = SingleGroupingFactor.Block(frame);
        LmmSufficientStatistics stats;
        using (var engine = LinearEngineFactory.Create<FamilyLink<GaussianDensity, IdentityLink>>(frame, block, execution, out _))
            stats = engine.ResponseStatistics();
        // As lme4's profile: the ML deviance, for REML fits too (from the ML optimum, on the same cross-products).
        var ml = fit.Method == FitMethod.Ml
            ? null
            : LmmFitter.Fit(stats, block.Correlated, LmmCriterion.Ml, null, maxIterations);
        var theta = ml?.Theta ?? fit.Record.FinalParameters;
        var beta = ml?.Solution.Beta ?? fit.FixedEffects.Select(c => c.Estimate).ToArray();
        double sigma = ml?.Solution.Sigma ?? fit.Dispersion!.Value;
        var covariance = new CovarianceCoordinates(block.Q, block.Correlated);
        var objective = new Deviance(stats, covariance);
        var layout = new ParameterLayout(0, block.Q, block.Correlated, hasDispersion: false);
        var relative = layout.Lambda(theta);
        var lambda = default(Mat3);
        for (int i = 0; i < block.Q; i++)
            for (int j = 0; j < block.Q; j++) lambda[i, j] = sigma * relative[i, j];
        var u = beta.Concat(covariance.FromLambda(lambda)).Append(Math.Log(sigma)).ToArray();
        double fHat = objective.Value(u, new double[u.Length]);
        GlmmProfile.Reparameterisation reordered = other =>
        {
            var deviance = new Deviance(stats, other);
            var u0 = beta.Concat(other.FromLambda(lambda)).Append(Math.Log(sigma)).ToArray();
            return new GlmmProfile.ProfileSetup(deviance.Value, u0, deviance.Value(u0, new double[u0.Length]), deviance.Hessian(u0));
        };
        return new Setup(objective, covariance, u, fHat, objective.Hessian(u), ml is not null, reordered);
    }

    /// <summary>Half the ML deviance at u, i.e. -log L; the gradient by central differences.</summary>
    private sealed class Deviance(LmmSufficientStatistics stats, CovarianceCoordinates covariance)
    {
        private readonly int p = stats.P;

        public double Value(ReadOnlySpan<double> u, Span<double> gradient)
        {
            double f = At(u);
            if (!gradient.IsEmpty)
            {
                var t = u.ToArray();
                for (int k = 0; k < t.Length; k++)
                {
                    double h = 1e-6 * Math.Max(1.0, Math.Abs(t[k])), orig = t[k];
                    t[k] = orig + h;
                    double fp = At(t);
                    t[k] = orig - h;
                    double fm = At(t);
                    t[k] = orig;
                    gradient[k] = (fp - fm) / (2 * h);
                }
            }
            return double.IsFinite(f) ? f : double.PositiveInfinity;
        }

        public double At(ReadOnlySpan<double> u)
        {
            double logSigma = u[^1], sigma2 = Math.Exp(2 * logSigma);
            var lambda = covariance.Lambda(u.Slice(p, covariance.Count));
            double inverseSigma = Math.Exp(-logSigma);
            for (int i = 0; i < covariance.Q; i++)
                for (int j = 0; j < covariance.Q; j++) lambda[i, j] *= inverseSigma;
            var solution = ProfiledDeviance.Evaluate(stats, lambda, LmmCriterion.Ml);
            if (!double.IsFinite(solution.Deviance)) return double.PositiveInfinity;
            int n = stats.N;
            // The penalised RSS at beta: r^2 + (beta - beta^)' RX'RX (beta - beta^), RX'RX = sigma^2-hat cov(beta-hat)^-1.
            var schur = Dense.InverseSpd(solution.BetaCovariance);
            if (schur is null) return double.PositiveInfinity;
            double hatSigma2 = solution.Sigma * solution.Sigma, quadratic = 0;
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++)
                    quadratic += (u[a] - solution.Beta[a]) * schur[a, b] * hatSigma2 * (u[b] - solution.Beta[b]);
            return 0.5 * (solution.LogDetL + n * (LogTwoPi + 2 * logSigma) + (solution.PenalizedRss + quadratic) / sigma2 - stats.SumLogW);
        }

        /// <summary>The Hessian by central differences of the value (each evaluation is O(clusters)).</summary>
        public double[,] Hessian(double[] u)
        {
            int n = u.Length;
            var h = new double[n, n];
            var steps = u.Select(v => 1e-4 * Math.Max(1.0, Math.Abs(v))).ToArray();
            var t = (double[])u.Clone();
            double f0 = At(u);
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                {
                    double F(double di, double dj)
                    {
                        t[i] += di; t[j] += dj;
                        double v = At(t);
                        t[i] -= di; t[j] -= dj;
                        return v;
                    }
                    double hi = steps[i], hj = steps[j];
                    h[i, j] = i == j
                        ? (F(hi, 0) - 2 * f0 + F(-hi, 0)) / (hi * hi)
                        : (F(hi, hj) - F(hi, -hj) - F(-hi, hj) + F(-hi, -hj)) / (4 * hi * hj);
                    h[j, i] = h[i, j];
                }
            return h;
        }
    }
}

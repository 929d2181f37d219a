using GlmmGpu.Fitting.Linear;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// A linear mixed model with several grouping factors, fitted by ML or REML as lmer fits it: lme4's profiled deviance
/// over theta, each evaluation one blocked Cholesky factorisation (<see cref="BlockedCholesky"/>) of the cross-products,
/// which are formed in one pass over the rows.
/// </summary>
internal static class CrossedLinearEstimator
{
    /// <summary>The profiled criterion at theta and what it needs for the solution.</summary>
    /// <param name="weights">The weights the products were filled with (the frame's, or PQL's working weights).</param>
    /// <param name="response">The response they were filled with.</param>
    internal sealed class Profiler(ModelFrame frame, CrossedTerms terms, BlockedCrossProducts products, BlockedCholesky factor, LmmCriterion criterion,
        ParallelOptions parallel, double[] weights, double[] response)
    {
        public CrossedTerms Terms => terms;
        public BlockedCholesky Factor => factor;
        public BlockedCrossProducts Products => products;

        /// <summary>The profiler of the frame's own response and weights, its cross-products filled.</summary>
        public static Profiler Create(ModelFrame frame, CrossedTerms terms, LmmCriterion criterion, ParallelOptions parallel)
        {
            var products = new BlockedCrossProducts(terms.Pattern, frame.P);
            products.Fill(frame.Weights, frame.X, frame.Response);
            return new Profiler(frame, terms, products, new BlockedCholesky(terms.Pattern, products.Augmented, parallel), criterion, parallel,
                frame.Weights, frame.Response);
        }

        private double[]? lastTheta;
        private ProfiledDeviance.Profiled? lastProfiled;

        public ProfiledDeviance.Profiled? At(ReadOnlySpan<double> theta)
        {
            lastTheta = theta.ToArray();
            lastProfiled = Profile(theta);
            return lastProfiled;
        }

        private ProfiledDeviance.Profiled? Profile(ReadOnlySpan<double> theta)
        {
            if (!factor.Factor(products, terms.Lambda(theta))) return null;
            int pa = products.Augmented, p = pa - 1;
            var schur = new double[p, p];
            var rhs = new double[p];
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++) schur[a, b] = factor.Schur[a * pa + b];
                rhs[a] = factor.Schur[p * pa + a];
            }
            return ProfiledDeviance.Profile(schur, rhs, factor.Schur[p * pa + p], factor.LogDeterminant, products.Pattern.RowCount,
                products.SumLogWeights, criterion);
        }

        public double Deviance(double[] theta) => At(theta)?.Deviance ?? double.PositiveInfinity;

        /// <summary>The exact gradient (<see cref="ProfiledDevianceGradient"/>) at the last point <see cref="At"/>
        /// factored; false where the closed form does not apply there (a term's factor near singular).</summary>
        public bool TryGradientOfLast(Span<double> gradient) =>
            lastTheta is not null && lastProfiled is { } f &&
            ProfiledDevianceGradient.TryCompute(frame, terms, factor, terms.Lambda(lastTheta), f, criterion, weights, response, parallel, gradient);

        /// <summary>The deviance and its exact gradient; false where the closed form does not apply, the deviance still given.</summary>
        public bool DevianceAndGradient(double[] theta, Span<double> gradient, out double deviance)
        {
            deviance = Deviance(theta);
            return TryGradientOfLast(gradient);
        }
    }

    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        if (frame.Family != FamilyKind.Gaussian || frame.Link != LinkKind.Identity)
            throw new GlmmException($"--method {(options.Method == FitMethod.Reml ? "reml" : "ml")} fits a linear mixed model: it needs --family gaussian with the identity link (use laplace for {FamilyNames.RName(frame.Family)})");
        var recorder = new FitRecorder(options) { Start = new FitStart(StartKind.Identity) };
        CrossedDevice.Record(recorder, options);
        foreach (var block in frame.RandomEffects)
            ResidualIdentifiability.Check(frame, block, ResidualIdentifiability.LinearModelRemedy);
        var terms = new CrossedTerms(frame);
        Diagnostics.Begin($"cross-products ({terms.Blocks.Length} grouping factors, {terms.Pattern.RestSize} effects in the dense block)");
        var criterion = options.Method == FitMethod.Reml ? LmmCriterion.Reml : LmmCriterion.Ml;
        var profiler = Profiler.Create(frame, terms, criterion, options.Execution.Parallel);
        recorder.Phase("cross-products");
        var trail = recorder.Progress(criterion == LmmCriterion.Reml ? "REML" : "ML");
        var theta0 = terms.IdentityTheta();
        var summary = MinimizeTheta(ExactObjective(profiler), theta0, terms, options.MaxIterations, (i, f) => trail(i, -f / 2));
        recorder.Phase($"{(criterion == LmmCriterion.Reml ? "REML" : "ML")} fit ({summary.Evaluations} evaluations)");

        var theta = summary.Minimizer;
        if (profiler.At(theta) is not { } profiled)
            throw new GlmmException("the penalised least-squares system is not positive definite at the optimum");
        var solution = ProfiledDeviance.Solution(profiled, profiler.Factor.LogDeterminant);
        var lambda = terms.Lambda(theta);
        var modes = terms.Modes(profiler.Factor.Modes(solution.Beta), lambda);
        var covariances = terms.ConditionalCovariances(profiler.Factor.InverseDiagonalBlocks(), lambda, solution.Sigma);
        recorder.Phase("conditional modes");

        var messages = FitChecks.FrameMessages(frame);
        var singularTerms = terms.SingularTerms(lambda);
        bool singular = singularTerms.Count > 0;
        if (singular) messages.Add(CrossedResult.SingularMessage(singularTerms));
        if (!summary.Converged) messages.Add(FitChecks.NotConverged + summary.Message);
        var record = recorder.Finish(theta0, theta, summary.Iterations, summary.Evaluations, summary.Message);
        double deviance = solution.Deviance;
        var coefficients = CrossedResult.Coefficients(frame, solution.Beta, solution.BetaCovariance);
        return CrossedResult.Build(frame, terms, record, coefficients, solution.BetaCovariance, lambda, solution.Sigma,
            new Dispersion("sigma", solution.Sigma), logLik: -deviance / 2, remlCriterion: criterion == LmmCriterion.Reml ? deviance : null,
            parameterCount: frame.P + terms.ThetaCount + 1, summary.Converged, singular, terms.Ranef(modes, covariances), messages, nAgq: 0, residuals: null);
    }

    /// <summary>The profiled deviance with its exact gradient (<see cref="ExactObjective"/>).</summary>
    internal static Bfgs.Objective ExactObjective(Profiler profiler) =>
        Crossed.ExactObjective.Of(profiler.Deviance, profiler.TryGradientOfLast);

    /// <summary>BFGS over theta, scaled as the single-factor fit scales it (the deviance's curvature about
    /// 2 n_levels / theta^2 per term).</summary>
    internal static OptimizationSummary MinimizeTheta(Bfgs.Objective objective, double[] theta0, CrossedTerms terms, int maxIterations,
        Action<int, double> progress)
    {
        var h0 = new double[theta0.Length, theta0.Length];
        for (int k = 0; k < terms.Blocks.Length; k++)
            for (int t = 0; t < terms.Layouts[k].ThetaCount; t++)
            {
                int at = terms.ThetaOffset[k] + t;
                double scale = Math.Max(Math.Abs(theta0[at]), 0.05);
                h0[at, at] = scale * scale / (2.0 * terms.Blocks[k].LevelCount);
            }
        double f0 = objective(theta0, new double[theta0.Length]);
        double tolerance = Math.Max(1e-10, 1e-12 * Math.Abs(f0));
        return Bfgs.Minimize(objective, theta0, maxIterations, tolerance, progress, h0);
    }
}

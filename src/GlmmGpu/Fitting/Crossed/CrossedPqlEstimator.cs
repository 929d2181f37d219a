using GlmmGpu.Engines.Cpu;
using GlmmGpu.Fitting.Glm;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Fitting.Pql;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// PQL with several grouping factors, as MASS::glmmPQL does it with nested factors (and here crossed ones too): the
/// single-factor <see cref="PqlEstimator"/>'s iteration on the blocked system. From the GLM fit, form the working
/// response and weights, fit the weighted linear mixed model by ML (or with the scale held at 1) through
/// <see cref="CrossedLinearEstimator.Profiler"/>, set eta = offset + X beta + sum Z_k b_k, and repeat until glmmPQL's
/// test (sum (eta - eta_old)^2 &lt; 1e-6 sum eta^2) holds; an update that would move some eta by more than
/// <see cref="MaxEtaStep"/> is shortened, as the single-factor path does.
/// </summary>
internal static class CrossedPqlEstimator
{
    /// <summary>The largest change in any row's linear predictor one update may make (the single-factor path's).</summary>
    private const double MaxEtaStep = 5.0;

    public static FitResult Fit(ModelFrame frame, FitOptions options) =>
        RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new Visitor(frame, options));

    private sealed class Visitor(ModelFrame frame, FitOptions options) : IRowLikelihoodVisitor<FitResult>
    {
        public FitResult Visit<TModel>() where TModel : struct, IRowLikelihood => Run<TModel>(frame, options);
    }

    private static FitResult Run<TModel>(ModelFrame frame, FitOptions options) where TModel : struct, IRowLikelihood
    {
        var recorder = new FitRecorder(options) { Start = new FitStart(StartKind.Glm) };
        CrossedDevice.Record(recorder, options);
        var terms = new CrossedTerms(frame);
        if (!options.PqlFixedScale)
            foreach (var block in terms.Blocks) ResidualIdentifiability.Check(frame, block, ResidualIdentifiability.PqlRemedy);
        var parallel = options.Execution.Parallel;
        int n = frame.RowCount, maxIterations = Math.Min(options.MaxIterations, 100);
        Diagnostics.Begin($"GLM start ({frame.P} fixed effects)");
        var glm = GlmStart.Fit<TModel>(frame, parallel);
        recorder.Phase($"PQL: GLM start ({glm.Iterations} iterations)");
        // Only the negative binomial's variance function needs its dispersion (glmmPQL takes a known theta).
        double phi = frame.Family == FamilyKind.NegativeBinomial ? glm.Phi : 1.0;

        var products = new BlockedCrossProducts(terms.Pattern, frame.P);
        var factor = new BlockedCholesky(terms.Pattern, products.Augmented, parallel);
        var criterion = options.PqlFixedScale ? LmmCriterion.UnitScale : LmmCriterion.Ml;
        var response = new double[n];
        var weight = new double[n];
        var profiler = new CrossedLinearEstimator.Profiler(frame, terms, products, factor, criterion, parallel, weight, response);
        var eta = (double[])glm.Eta.Clone();
        var theta0 = terms.IdentityTheta();
        var theta = theta0;
        var trail = recorder.Progress("PQL");

        LmmSolution? solution = null;
        OptimizationSummary? last = null;
        double[][][] fittedModes = [];
        // The (beta, b) behind eta: the GLM's, with no random effects, to start.
        var currentBeta = glm.Beta;
        var currentModes = ZeroModes(terms);
        bool settled = false;
        int iteration = 0, damped = 0, evaluations = 0;
        while (iteration < maxIterations)
        {
            iteration++;
            PqlWorkingUpdate.Apply<TModel>(frame.Response, frame.Weights, eta, frame.Offset, phi, 0, response, weight);
            products.Fill(weight, frame.X, response);
            if (!double.IsFinite(products.ColumnsByColumn[^1]) || !double.IsFinite(products.SumLogWeights))
                throw new GlmmException($"PQL failed at iteration {iteration}: the working response or weights are not finite");
            recorder.Phase($"PQL {iteration}: working response and cross-products");
            // Each fit starts from the last one's theta: the working model changes little from one iteration to the next.
            var summary = CrossedLinearEstimator.MinimizeTheta(CrossedLinearEstimator.ExactObjective(profiler), theta, terms, options.MaxIterations, (_, _) => { });
            evaluations += summary.Evaluations;
            theta = summary.Minimizer;
            if (profiler.At(theta) is not { } profiled || !double.IsFinite(profiled.Deviance))
                throw new GlmmException($"PQL failed at iteration {iteration}: the working linear mixed model could not be fitted (its penalised least-squares system is not positive definite)");
            solution = ProfiledDeviance.Solution(profiled, factor.LogDeterminant);
            last = summary;
            recorder.Phase($"PQL {iteration}: LMM fit ({summary.Evaluations} evaluations)");
            fittedModes = terms.Modes(factor.Modes(solution.Beta), terms.Lambda(theta));
            var change = CrossedLinearPredictor.Update(frame, terms, solution.Beta, fittedModes, eta);
            trail(iteration, double.NaN);
            if (change.MaxChange > MaxEtaStep)
            {
                // Overshoot (see PqlEstimator): the same direction a shorter way; eta is linear in (beta, b).
                damped++;
                double step = MaxEtaStep / change.MaxChange;
                currentBeta = Blend(currentBeta, solution.Beta, step);
                currentModes = Blend(currentModes, fittedModes, step);
                CrossedLinearPredictor.Update(frame, terms, currentBeta, currentModes, eta);
                continue;
            }
            currentBeta = solution.Beta;
            currentModes = fittedModes;
            if (change.Settled)
            {
                settled = true;
                break;
            }
        }

        var lambda = terms.Lambda(theta);
        double sigma = solution!.Sigma;
        var covariances = terms.ConditionalCovariances(factor.InverseDiagonalBlocks(), lambda, sigma);
        recorder.Phase("conditional modes");
        var messages = FitChecks.FrameMessages(frame);
        if (!last!.Converged)
        {
            messages.Add(FitChecks.NotConverged + $"PQL's last linear mixed model fit did not converge ({last.Message}; residual SD {sigma:G3})");
            settled = false;
        }
        // Separation, from the linear predictor at the estimates (every factor's modes included), as the single-factor PQL checks it.
        if (SeparationCheck.RowsAtBoundary<TModel>(frame, eta) is { } atBoundary
            && SeparationCheck.Report(frame, currentBeta, atBoundary, null, solution.BetaCovariance, messages)) settled = false;
        messages.Add(PqlEstimator.Caveat);
        if (damped > 0) messages.Add($"PQL shortened {damped} updates that would have moved the linear predictor by more than {MaxEtaStep} (glmmPQL takes them whole)");
        if (!settled) messages.Add($"PQL did not settle in {iteration} iterations: eta still changes; the estimates are not reliable");
        var singularTerms = terms.SingularTerms(lambda);
        bool singular = singularTerms.Count > 0;
        if (singular) messages.Add(CrossedResult.SingularMessage(singularTerms));
        var record = recorder.Finish(theta0, theta, iteration, evaluations,
            settled ? "the linear predictor settled" : $"the linear predictor still changed after {iteration} iterations");
        var coefficients = CrossedResult.Coefficients(frame, solution.Beta, solution.BetaCovariance);
        return CrossedResult.Build(frame, terms, record, coefficients, solution.BetaCovariance, lambda, sigma, dispersion: null,
            logLik: null, remlCriterion: null, parameterCount: frame.P + terms.ThetaCount + (options.PqlFixedScale ? 0 : 1),
            settled, singular, terms.Ranef(fittedModes, covariances), messages, nAgq: 0, residuals: null, residualSd: sigma);
    }

    private static double[][][] ZeroModes(CrossedTerms terms) =>
        terms.Blocks.Select(b => Enumerable.Range(0, b.LevelCount).Select(_ => new double[b.Q]).ToArray()).ToArray();

    private static double[] Blend(double[] from, double[] to, double step)
    {
        var x = new double[from.Length];
        for (int a = 0; a < x.Length; a++) x[a] = from[a] + step * (to[a] - from[a]);
        return x;
    }

    private static double[][][] Blend(double[][][] from, double[][][] to, double step) =>
        from.Select((term, k) => term.Select((level, l) => Blend(level, to[k][l], step)).ToArray()).ToArray();
}

using System.Diagnostics;
using GlmmGpu.Fitting.Glm;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Fitting.Pql;

/// <summary>
/// Penalized quasi-likelihood as MASS::glmmPQL does it: from a GLM fit, form pseudo-responses and working
/// weights, fit a weighted linear mixed model by ML (residual scale estimated, even for binomial and Poisson
/// data; or held at 1 for Breslow and Clayton's PQL), update eta = X beta + Z b, and repeat until eta settles
/// (glmmPQL's test: sum (eta - eta_old)^2 &lt; 1e-6 sum eta^2). The passes over the rows (working update,
/// cross-products, new eta) run on the engine <see cref="FitOptions.Device"/> picks, with the rows resident there;
/// the linear model's fit over theta runs on the host on the O(clusters) cross-products.
/// </summary>
internal static class PqlEstimator
{
    public const string Caveat = "PQL has no likelihood: its inference is approximate and its estimates are biased for binary data and small counts (prefer --method agq)";

    public static FitResult Fit(ModelFrame frame, FitOptions options) =>
        RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new Visitor(frame, options));

    /// <summary>The largest change in any row's linear predictor one PQL update may make (a factor of e^5 in a
    /// log-link mean).</summary>
    private const double MaxEtaStep = 5.0;

    private static LmmFitter.Result? TryFit(LmmSufficientStatistics stats, bool correlated, LmmCriterion criterion, LmmFitter.Result? previous, int maxIterations)
    {
        if (!double.IsFinite(stats.YtWy) || !double.IsFinite(stats.SumLogW)) return null;
        try
        {
            var fit = LmmFitter.Fit(stats, correlated, criterion, previous, maxIterations);
            return double.IsFinite(fit.Solution.Deviance) ? fit : null;
        }
        catch (GlmmException)
        {
            return null;
        }
    }

    /// <summary>(beta, b) a fraction <paramref name="step"/> of the way from one fit to the next; modes flat.</summary>
    private static (double[] Beta, double[] Modes) Blend(double[] fromBeta, double[] fromModes, double[] toBeta, double[] toModes, double step)
    {
        var beta = new double[fromBeta.Length];
        for (int a = 0; a < beta.Length; a++) beta[a] = fromBeta[a] + step * (toBeta[a] - fromBeta[a]);
        var modes = new double[fromModes.Length];
        for (int k = 0; k < modes.Length; k++) modes[k] = fromModes[k] + step * (toModes[k] - fromModes[k]);
        return (beta, modes);
    }

    private sealed class Visitor(ModelFrame frame, FitOptions options) : IRowLikelihoodVisitor<FitResult>
    {
        public FitResult Visit<TModel>() where TModel : struct, IRowLikelihood => Run<TModel>(frame, options);
    }

    private static FitResult Run<TModel>(ModelFrame frame, FitOptions options) where TModel : struct, IRowLikelihood
    {
        var recorder = new FitRecorder(options);
        var block = SingleGroupingFactor.Block(frame);
        if (!options.PqlFixedScale) ResidualIdentifiability.Check(frame, block, ResidualIdentifiability.PqlRemedy);
        int maxIterations = Math.Min(options.MaxIterations, 100);
        Diagnostics.Begin($"GLM start ({frame.P} fixed effects)");
        var glm = GlmStart.Fit<TModel>(frame, options.Execution.Parallel);
        recorder.Phase($"PQL: GLM start ({glm.Iterations} iterations)");
        // Only the negative binomial's variance function needs its dispersion (glmmPQL takes a known theta).
        double phi = frame.Family == FamilyKind.NegativeBinomial ? glm.Phi : 1.0;
        using var engine = LinearEngineFactory.Create<TModel>(frame, block, options.Execution, out var reason);
        recorder.Device = engine.Device;
        recorder.DeviceReason = reason;
        engine.SetEta(glm.Eta);
        recorder.Phase("PQL: engine");
        var trail = recorder.Progress("PQL");
        var criterion = options.PqlFixedScale ? LmmCriterion.UnitScale : LmmCriterion.Ml;
        LmmFitter.Result? fit = null;
        LmmSufficientStatistics? stats = null;
        bool settled = false;
        int iteration = 0, damped = 0;
        // The (beta, b) behind the engine's current eta: the GLM's, with no random effects, to start.
        var currentBeta = glm.Beta;
        var currentModes = new double[block.LevelCount * block.Q];
        while (iteration < maxIterations)
        {
            iteration++;
            stats = engine.WorkingStatistics(phi);
            recorder.Phase($"PQL {iteration}: working response and cross-products");
            fit = TryFit(stats, block.Correlated, criterion, fit, options.MaxIterations)
                ?? throw new GlmmException($"PQL failed at iteration {iteration}: the working linear mixed model could not be fitted (its deviance is not finite)");
            recorder.Phase($"PQL {iteration}: LMM fit ({fit.Summary.Evaluations} evaluations)");
            var modes = ProfiledDeviance.Modes(stats, fit.Lambda, fit.Solution.Beta);
            var change = engine.UpdateEta(fit.Solution.Beta, modes, block.Q);
            trail(iteration, double.NaN);
            if (change.MaxChange > MaxEtaStep)
            {
                // The step overshoots: from a GLM start, a log link turns large working residuals into modes
                // far out, and the next working weights would span many orders of magnitude. Take the same
                // direction a shorter way; eta = X beta + Z b is linear, so a shorter step in eta is the same
                // step in (beta, b). glmmPQL has no such guard (it fails or wanders on such data); where no step
                // is this long the iteration is glmmPQL's exactly.
                damped++;
                double step = MaxEtaStep / change.MaxChange;
                (currentBeta, currentModes) = Blend(currentBeta, currentModes, fit.Solution.Beta, modes, step);
                engine.UpdateEta(currentBeta, currentModes, block.Q);
                continue;
            }
            currentBeta = fit.Solution.Beta;
            currentModes = modes;
            if (change.Settled)
            {
                settled = true;
                break;
            }
        }
        var messages = FitChecks.FrameMessages(frame);
        var modesByLevel = Enumerable.Range(0, block.LevelCount).Select(c => currentModes[(c * block.Q)..((c + 1) * block.Q)]).ToArray();
        var lastModes = new RandomEffectsModes(block.GroupingFactor, block.TermNames, block.Levels, modesByLevel, []);
        if (SeparationCheck.Report(frame, currentBeta, null, lastModes, fit!.Solution.BetaCovariance, messages, options.Execution.Parallel)) settled = false;
        else if (!fit.Summary.Converged)
        {
            messages.Add(FitChecks.NotConverged + $"PQL's last linear mixed model fit did not converge ({fit.Summary.Message}; residual SD {fit.Solution.Sigma:G3})");
            settled = false;
        }
        messages.Add(Caveat);
        if (damped > 0) messages.Add($"PQL shortened {damped} updates that would have moved the linear predictor by more than {MaxEtaStep} (glmmPQL takes them whole)");
        if (!settled) messages.Add($"PQL did not settle in {iteration} iterations: eta still changes; the estimates are not reliable");
        bool singular = FitChecks.IsSingular(fit!.Lambda, block.Q);
        if (singular) messages.Add(FitChecks.SingularMessage);
        var record = recorder.Finish(LinearMixedModelEstimator.IdentityTheta(fit.Layout), fit.Theta, iteration, iteration,
            settled ? "the linear predictor settled" : $"the linear predictor still changed after {iteration} iterations");
        return LinearMixedModelEstimator.Build(frame, block, stats!, fit, logLik: null, remlCriterion: null, dispersion: null,
            residualSd: fit.Solution.Sigma, singular, settled, messages, record,
            parameterCount: frame.P + fit.Layout.ThetaCount + (options.PqlFixedScale ? 0 : 1));
    }
}

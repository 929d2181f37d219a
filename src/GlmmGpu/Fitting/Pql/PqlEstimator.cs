using System.Diagnostics;
using GlmmGpu.Fitting.Glm;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Results;
using GlmmGpu.Scheduling;

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

    private sealed class Visitor(ModelFrame frame, FitOptions options) : IRowLikelihoodVisitor<FitResult>
    {
        public FitResult Visit<TModel>() where TModel : struct, IRowLikelihood => Run<TModel>(frame, options);
    }

    private static FitResult Run<TModel>(ModelFrame frame, FitOptions options) where TModel : struct, IRowLikelihood
    {
        var clock = Stopwatch.StartNew();
        var block = LinearMixedModelEstimator.SingleBlock(frame);
        int maxIterations = Math.Min(options.MaxIterations, 100);
        var glm = GlmStart.Fit<TModel>(frame);
        // Only the negative binomial's variance function needs its dispersion (glmmPQL takes a known theta).
        double phi = frame.Family == FamilyKind.NegativeBinomial ? glm.Phi : 1.0;
        using var engine = LinearEngineFactory.Create<TModel>(frame, block, options);
        engine.SetEta(glm.Eta);
        var criterion = options.PqlFixedScale ? LmmCriterion.UnitScale : LmmCriterion.Ml;
        LmmFitter.Result? fit = null;
        LmmSufficientStatistics? stats = null;
        bool settled = false;
        int iteration = 0;
        while (iteration < maxIterations)
        {
            iteration++;
            stats = engine.WorkingStatistics(phi);
            Diagnostics.Mark($"PQL {iteration}: working response and cross-products");
            fit = LmmFitter.Fit(stats, block.Correlated, criterion, fit?.Theta, options.MaxIterations);
            Diagnostics.Mark($"PQL {iteration}: LMM fit ({fit.Summary.Evaluations} evaluations)");
            var (modes, _) = ProfiledDeviance.RandomEffects(stats, fit.Lambda, fit.Solution.Beta, fit.Solution.Sigma);
            var change = engine.UpdateEta(fit.Solution.Beta, modes);
            options.Progress?.Invoke("PQL", iteration, double.NaN);
            if (change.Settled)
            {
                settled = true;
                break;
            }
        }
        var messages = LinearMixedModelEstimator.FrameMessages(frame);
        messages.Add(Caveat);
        if (!settled) messages.Add($"PQL did not settle in {iteration} iterations: eta still changes; the estimates are not reliable");
        bool singular = LinearMixedModelEstimator.IsSingular(fit!.Lambda, block.Q);
        if (singular) messages.Add("boundary (singular) fit: see help('isSingular')");
        return LinearMixedModelEstimator.Build(frame, block, stats!, fit, "pql", 0, logLik: null, remlCriterion: null, 0,
            dispersion: null, residualSd: fit.Solution.Sigma, singular, settled, iteration, iteration, messages,
            clock.Elapsed.TotalSeconds, engine.Device, parameterCount: frame.P + fit.Layout.ThetaCount + (options.PqlFixedScale ? 0 : 1));
    }
}

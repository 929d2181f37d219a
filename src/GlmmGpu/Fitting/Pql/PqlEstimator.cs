using System.Diagnostics;
using GlmmGpu.Fitting.Glm;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Results;

namespace GlmmGpu.Fitting.Pql;

/// <summary>
/// Penalized quasi-likelihood as MASS::glmmPQL does it: from a GLM fit, form pseudo-responses and working
/// weights, fit a weighted linear mixed model by ML (residual scale estimated, even for binomial and Poisson
/// data; or held at 1 for Breslow and Clayton's PQL), update eta = X beta + Z b, and repeat until eta settles
/// (glmmPQL's test: sum (eta - eta_old)^2 &lt; 1e-6 sum eta^2).
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
        int n = frame.RowCount, maxIterations = Math.Min(options.MaxIterations, 100);
        var glm = GlmStart.Fit<TModel>(frame);
        // Only the negative binomial's variance function needs its dispersion (glmmPQL takes a known theta).
        double phi = frame.Family == FamilyKind.NegativeBinomial ? glm.Phi : 1.0;
        var eta = (double[])glm.Eta.Clone();
        var response = new double[n];
        var weight = new double[n];
        var criterion = options.PqlFixedScale ? LmmCriterion.UnitScale : LmmCriterion.Ml;
        LmmFitter.Result? fit = null;
        LmmSufficientStatistics? stats = null;
        bool settled = false;
        int iteration = 0;
        while (iteration < maxIterations)
        {
            iteration++;
            PqlWorkingUpdate.Apply<TModel>(frame.Response, frame.Weights, eta, frame.Offset, phi, response, weight, options.Threads);
            stats = LmmSufficientStatistics.Compute(frame, block, response, weight, options.Threads);
            Diagnostics.Mark($"PQL {iteration}: working response and cross-products");
            fit = LmmFitter.Fit(stats, block.Correlated, criterion, fit?.Theta, options.MaxIterations);
            Diagnostics.Mark($"PQL {iteration}: LMM fit ({fit.Summary.Evaluations} evaluations)");
            var (modes, _) = ProfiledDeviance.RandomEffects(stats, fit.Lambda, fit.Solution.Beta, fit.Solution.Sigma);
            double change = 0, size = 0;
            for (int i = 0; i < n; i++)
            {
                double e = frame.Offset[i];
                for (int a = 0; a < frame.P; a++) e += frame.XAt(i, a) * fit.Solution.Beta[a];
                var b = modes[block.LevelOfRow[i]];
                for (int d = 0; d < block.Q; d++) e += block.Z[(long)d * n + i] * b[d];
                change += (e - eta[i]) * (e - eta[i]);
                size += e * e;
                eta[i] = e;
            }
            options.Progress?.Invoke("PQL", iteration, double.NaN);
            if (change < 1e-6 * size)
            {
                settled = true;
                break;
            }
        }
        var messages = LinearMixedModelEstimator.FrameMessages(frame);
        if (options.Device is not (DeviceChoice.Auto or DeviceChoice.Cpu))
            messages.Add($"this method runs on the CPU path; --device {options.Device.ToString().ToLowerInvariant()} applies to laplace and agq");
        messages.Add(Caveat);
        if (!settled) messages.Add($"PQL did not settle in {iteration} iterations: eta still changes; the estimates are not reliable");
        bool singular = LinearMixedModelEstimator.IsSingular(fit!.Lambda, block.Q);
        if (singular) messages.Add("boundary (singular) fit: see help('isSingular')");
        return LinearMixedModelEstimator.Build(frame, block, stats!, fit, "pql", 0, logLik: null, remlCriterion: null, 0,
            dispersion: null, residualSd: fit.Solution.Sigma, singular, settled, iteration, iteration, messages,
            clock.Elapsed.TotalSeconds, parameterCount: frame.P + fit.Layout.ThetaCount + (options.PqlFixedScale ? 0 : 1));
    }
}

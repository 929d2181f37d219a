using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Fitting.Linear;

/// <summary>A Gaussian linear mixed model fitted by ML or REML through lme4's profiled deviance.</summary>
internal static class LinearMixedModelEstimator
{
    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        if (frame.Family != FamilyKind.Gaussian || frame.Link != LinkKind.Identity)
            throw new GlmmException($"--method {(options.Method == FitMethod.Reml ? "reml" : "ml")} fits a linear mixed model: it needs --family gaussian with the identity link (use laplace or agq for {FamilyNames.RName(frame.Family)})");
        var recorder = new FitRecorder(options) { Start = new FitStart(StartKind.Identity) };
        var block = SingleGroupingFactor.Block(frame);
        ResidualIdentifiability.Check(frame, block, ResidualIdentifiability.LinearModelRemedy);
        LmmSufficientStatistics stats;
        using (var engine = LinearEngineFactory.Create<FamilyLink<GaussianDensity, IdentityLink>>(frame, block, options.Execution, out var reason))
        {
            recorder.Device = engine.Device;
            recorder.DeviceReason = reason;
            // One pass over the rows; the device is released before the (host-side) optimisation over theta.
            Diagnostics.Begin($"cross-products ({frame.P} fixed effects)");
            stats = engine.ResponseStatistics();
            recorder.Phase("cross-products");
        }
        var criterion = options.Method == FitMethod.Reml ? LmmCriterion.Reml : LmmCriterion.Ml;
        var trail = recorder.Progress(criterion == LmmCriterion.Reml ? "REML" : "ML");
        var fit = LmmFitter.Fit(stats, block.Correlated, criterion, null, options.MaxIterations, (iteration, deviance) => trail(iteration, -deviance / 2));
        recorder.Phase($"{criterion} fit ({fit.Summary.Evaluations} evaluations)");
        var messages = FitChecks.FrameMessages(frame);
        bool singular = FitChecks.IsSingular(fit.Lambda, block.Q);
        if (singular) messages.Add(FitChecks.SingularMessage);
        if (!fit.Summary.Converged) messages.Add($"Model failed to converge: {fit.Summary.Message}");
        var sol = fit.Solution;
        double deviance = sol.Deviance;
        var record = recorder.Finish(IdentityTheta(fit.Layout), fit.Theta, fit.Summary.Iterations, fit.Summary.Evaluations, fit.Summary.Message);
        return Build(frame, block, stats, fit, logLik: -deviance / 2, criterion == LmmCriterion.Reml ? deviance : null,
            new Dispersion("sigma", sol.Sigma), residualSd: null, singular, fit.Summary.Converged, messages, record,
            parameterCount: frame.P + fit.Layout.ThetaCount + 1);
    }

    /// <summary>lmer's start: the relative covariance factor at the identity.</summary>
    internal static double[] IdentityTheta(ParameterLayout layout) =>
        Enumerable.Range(0, layout.ThetaCount).Select(k => layout.IsThetaDiagonal(k) ? 1.0 : 0.0).ToArray();

    /// <summary>The result of a linear-model fit (also PQL's last inner fit): SDs are sigma times the relative factor.
    /// <paramref name="logLik"/> is the log-likelihood (for REML, the REML log-likelihood, which the summary reports
    /// beside the criterion); null for PQL, which has none.</summary>
    internal static FitResult Build(ModelFrame frame, RandomEffectsBlock block, LmmSufficientStatistics stats, LmmFitter.Result fit,
        double? logLik, double? remlCriterion, Dispersion? dispersion, double? residualSd, bool singular, bool converged,
        List<string> messages, FitRecord record, int parameterCount)
    {
        var sol = fit.Solution;
        double sigma = sol.Sigma;
        var scaled = default(Mat3);
        for (int i = 0; i < block.Q; i++)
            for (int j = 0; j < block.Q; j++) scaled[i, j] = sigma * fit.Lambda[i, j];
        var coefficients = new List<Coefficient>();
        for (int a = 0; a < frame.P; a++)
        {
            double se = Math.Sqrt(sol.BetaCovariance[a, a]), z = sol.Beta[a] / se;
            coefficients.Add(new Coefficient(frame.FixedNames[a], sol.Beta[a], se, z, ResultBuilder.TwoSidedNormalP(z)));
        }
        var (modes, sds, covariances) = ProfiledDeviance.RandomEffects(stats, fit.Lambda, sol.Beta, sigma);
        return new FitResult
        {
            Formula = frame.Formula.Source,
            Family = frame.Family,
            Link = frame.Link,
            Method = record.Settings.Method,
            NAgq = 0,
            Record = record,
            NObs = frame.RowCount,
            NGroups = frame.RandomEffects.Select(r => (r.GroupingFactor, r.LevelCount)).ToList(),
            FixedEffects = coefficients,
            FixedEffectsCovariance = sol.BetaCovariance,
            VarCorr = new[] { ResultBuilder.VarCorr(block, scaled, block.Q) },
            Dispersion = dispersion,
            LogLik = logLik,
            RemlCriterion = remlCriterion,
            ResidualSd = residualSd,
            ParameterCount = parameterCount,
            Converged = converged,
            Singular = singular,
            Ranef = new[] { new RandomEffectsModes(block.GroupingFactor, block.TermNames, block.Levels, modes, sds) { ConditionalCovariance = covariances } },
            Messages = messages,
            FactorLevels = frame.FactorLevels,
        };
    }
}

using System.Diagnostics;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;
using GlmmGpu.Results;
using GlmmGpu.Scheduling;

namespace GlmmGpu.Fitting.Linear;

/// <summary>A Gaussian linear mixed model fitted by ML or REML through lme4's profiled deviance.</summary>
internal static class LinearMixedModelEstimator
{
    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        if (frame.Family != FamilyKind.Gaussian || frame.Link != LinkKind.Identity)
            throw new GlmmException($"--method {(options.Method == FitMethod.Reml ? "reml" : "ml")} fits a linear mixed model: it needs --family gaussian with the identity link (use laplace or agq for {FamilyNames.RName(frame.Family)})");
        var clock = Stopwatch.StartNew();
        var block = FitChecks.SingleBlock(frame);
        ResidualIdentifiability.Check(frame, block, ResidualIdentifiability.LinearModelRemedy);
        LmmSufficientStatistics stats;
        string device;
        using (var engine = LinearEngineFactory.Create<FamilyLink<GaussianDensity, IdentityLink>>(frame, block, options))
        {
            // One pass over the rows; the device is released before the (host-side) optimisation over theta.
            Diagnostics.Begin($"cross-products ({frame.P} fixed effects)");
            stats = engine.ResponseStatistics();
            Diagnostics.Mark("cross-products");
            device = engine.Device;
        }
        var criterion = options.Method == FitMethod.Reml ? LmmCriterion.Reml : LmmCriterion.Ml;
        string phase = criterion == LmmCriterion.Reml ? "REML" : "ML";
        var fit = LmmFitter.Fit(stats, block.Correlated, criterion, null, options.MaxIterations,
            options.Progress is null ? null : (iteration, deviance) => options.Progress(phase, iteration, -deviance / 2));
        var messages = FitChecks.FrameMessages(frame);
        bool singular = FitChecks.IsSingular(fit.Lambda, block.Q);
        if (singular) messages.Add(FitChecks.SingularMessage);
        if (!fit.Summary.Converged) messages.Add($"Model failed to converge: {fit.Summary.Message}");
        var sol = fit.Solution;
        double deviance = sol.Deviance;
        return Build(frame, block, stats, fit, options.Method == FitMethod.Reml ? "reml" : "ml", 0,
            criterion == LmmCriterion.Reml ? null : -deviance / 2, criterion == LmmCriterion.Reml ? deviance : null,
            -deviance / 2, new Dispersion("sigma", sol.Sigma), null, singular, fit.Summary.Converged, fit.Summary.Iterations,
            fit.Summary.Evaluations, messages, clock.Elapsed.TotalSeconds, device, parameterCount: frame.P + fit.Layout.ThetaCount + 1);
    }

    /// <summary>The result of a linear-model fit (also PQL's last inner fit): SDs are sigma times the relative factor.</summary>
    internal static FitResult Build(ModelFrame frame, RandomEffectsBlock block, LmmSufficientStatistics stats, LmmFitter.Result fit,
        string method, int nodes, double? logLik, double? remlCriterion, double reportedLogLikForAic, Dispersion? dispersion, double? residualSd,
        bool singular, bool converged, int iterations, int evaluations, List<string> messages, double seconds, string device, int parameterCount)
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
        var (modes, sds) = ProfiledDeviance.RandomEffects(stats, fit.Lambda, sol.Beta, sigma);
        return new FitResult
        {
            Formula = frame.Formula.Source,
            Family = FamilyNames.RName(frame.Family),
            Link = FamilyNames.RName(frame.Link),
            Method = method,
            NAgq = nodes,
            Device = device,
            NObs = frame.RowCount,
            NGroups = frame.RandomEffects.Select(r => (r.GroupingFactor, r.LevelCount)).ToList(),
            FixedEffects = coefficients,
            FixedEffectsCovariance = sol.BetaCovariance,
            VarCorr = new[] { ResultBuilder.VarCorr(block, scaled, block.Q) },
            Dispersion = dispersion,
            LogLik = logLik ?? (remlCriterion is not null ? reportedLogLikForAic : null),
            RemlCriterion = remlCriterion,
            ResidualSd = residualSd,
            ParameterCount = parameterCount,
            Converged = converged,
            Singular = singular,
            Iterations = iterations,
            FunctionEvaluations = evaluations,
            Seconds = seconds,
            Ranef = new[] { new RandomEffectsModes(block.GroupingFactor, block.TermNames, block.Levels, modes, sds) },
            Messages = messages,
            FactorLevels = frame.FactorLevels,
        };
    }
}

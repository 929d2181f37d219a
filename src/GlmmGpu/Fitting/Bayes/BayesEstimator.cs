using System.Diagnostics;
using GlmmGpu.Engines;
using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// A Bayesian fit: the posterior of (beta, the random effects' SDs and correlations, the dispersion) with the random
/// effects integrated out by the engine's Laplace or AGQ marginal likelihood, sampled by NUTS (<see cref="NutsChain"/>)
/// in several chains whose positions are evaluated together. The maximum-likelihood fit comes first: it starts the
/// chains (each moved by a random offset of about a standard error) and gives the engine the conditional modes every
/// batch's Newton solves start from.
/// </summary>
internal static class BayesEstimator
{
    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        var bayes = options.Bayes ?? new BayesOptions();
        if (bayes.Algorithm == BayesAlgorithm.Grid) return Grid.GridEstimator.Fit(frame, options, bayes);
        Check(bayes);
        var clock = Stopwatch.StartNew();
        using var setup = PosteriorSetup.Create(frame, options, bayes);
        var ml = setup.MaximumLikelihood;
        double mlSeconds = setup.MaximumLikelihoodSeconds;
        var psiMl = ml.Record.FinalParameters;
        int nodes = setup.Nodes;
        var data = setup.Data;
        var layout = setup.Layout;
        var engine = setup.Engine;
        var gradient = new double[layout.Count];
        double responseScale = setup.ResponseScale;
        var dispersion = setup.Dispersion;
        var priors = setup.Priors;
        var transform = setup.Transform;

        // A singular fit's zero SD has no logarithm: start such an SD at a tenth of the response's scale.
        var start = transform.FromPsi(psiMl, 0.1 * responseScale);
        var jitter = new double[transform.Dimension];
        for (int i = 0; i < transform.Dimension; i++)
            jitter[i] = i < layout.P && double.IsFinite(ml.FixedEffectsCovariance[i, i]) ? Math.Sqrt(ml.FixedEffectsCovariance[i, i]) : 0.3;

        var density = new PosteriorDensity(engine, transform, evaluateTogether: bayes.Chains > 1);
        var names = setup.Names;
        var (chains, draws, stats, sampler) = NutsSampling.Run(bayes, transform, names.Length, start, jitter, density, () => density.Evaluations, options.Progress);
        double samplingSeconds = sampler.SamplingSeconds;
        var posterior = PosteriorSummaries.Build(names, draws, stats, sampler, priors, data.Block, transform, dispersion?.Name);
        if (bayes.RandomEffectDrawCount > 0)
        {
            var ranefDraws = RandomEffectDraws.Draw(engine, data, transform, chains.Select(ch => ch.Draws).ToList(), bayes.RandomEffectDrawCount, bayes.Seed);
            posterior = posterior.WithRandomEffects(ranefDraws);
        }

        // The conditional modes at the posterior means, for the result's ranef.
        var meanZ = NutsSampling.MeanPosition(chains, transform.Dimension);
        var psiMean = new double[layout.Count];
        transform.ToPsi(meanZ, psiMean);
        engine.Evaluate(psiMean, gradient);
        var ranef = ResultBuilder.Ranef(data, layout.Lambda(psiMean), engine.Clusters);

        bool trustworthy = posterior.Warnings.Count == 0 || !posterior.Warnings.Any(w => w.StartsWith(PosteriorSummaries.FailurePrefix, StringComparison.Ordinal));
        var record = new FitRecord
        {
            Settings = options,
            Device = ml.Record.Device,
            DeviceReason = ml.Record.DeviceReason,
            Start = ml.Record.Start,
            InitialParameters = psiMl,
            FinalParameters = psiMean,
            Iterations = bayes.Iterations,
            Evaluations = (int)Math.Min(int.MaxValue, ml.Record.Evaluations + density.Evaluations),
            OptimizerMessage = $"maximum-likelihood start ({ml.Record.Evaluations} evaluations, {mlSeconds:0.00} s), then NUTS",
            Trail = ml.Record.Trail,
            Phases = [.. ml.Record.Phases, new PhaseTime("sampling", samplingSeconds)],
            Seconds = clock.Elapsed.TotalSeconds,
            Sampler = sampler,
        };
        var fixedEffects = posterior.Fixef.Select(s => new Coefficient(s.Name, s.Mean, s.Sd, double.NaN, double.NaN)).ToArray();
        var covariance = new double[layout.P, layout.P];
        for (int i = 0; i < layout.P; i++)
            for (int j = 0; j < layout.P; j++) covariance[i, j] = NutsSampling.Covariance(draws, i, j);
        return new FitResult
        {
            Formula = ml.Formula,
            Family = ml.Family,
            Link = ml.Link,
            Method = FitMethod.Bayes,
            NAgq = nodes,
            Record = record,
            NObs = ml.NObs,
            NGroups = ml.NGroups,
            FixedEffects = fixedEffects,
            FixedEffectsCovariance = covariance,
            VarCorr = [new VarianceComponent(data.Block.GroupingFactor, data.Block.TermNames,
                posterior.VarCorr[0].Sd.Select(s => s.Mean).ToArray(), posterior.VarCorr[0].Corr.Select(c => c.Summary.Mean).ToArray(), data.Block.LevelCount)],
            Dispersion = dispersion is null ? null : new Dispersion(dispersion.Name, posterior.Dispersion!.Mean),
            LogLik = null,
            ParameterCount = layout.Count,
            Converged = trustworthy,
            Singular = false,
            Ranef = [ranef],
            Messages = posterior.Warnings,
            FactorLevels = ml.FactorLevels,
            Posterior = posterior,
        };
    }

    internal static void Check(BayesOptions b)
    {
        if (b.Chains < 1) throw new GlmmException($"--chains must be 1 or more, not {b.Chains}");
        if (b.Iterations < 2) throw new GlmmException($"--iter must be 2 or more, not {b.Iterations}");
        if (b.WarmupIterations < 0 || b.WarmupIterations >= b.Iterations)
            throw new GlmmException($"--warmup must be from 0 to --iter - 1 ({b.Iterations - 1}), not {b.WarmupIterations}");
        if (b.MaxTreeDepth < 1) throw new GlmmException($"the maximum tree depth must be 1 or more, not {b.MaxTreeDepth}");
        if (!(b.TargetAcceptance > 0 && b.TargetAcceptance < 1)) throw new GlmmException($"the target acceptance must lie in (0, 1), not {b.TargetAcceptance}");
    }
}

using System.Diagnostics;
using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// A Bayesian fit with several grouping factors (crossed or nested): the posterior of (beta, every term's SDs and
/// correlations, the dispersion) with the random effects integrated out by glmer's Laplace approximation on the blocked
/// Cholesky, sampled by NUTS in several chains as with one factor (<see cref="BayesEstimator"/>). The Laplace fit
/// comes first and starts the chains. Quadrature beyond Laplace, the grid and random-effect draws take one factor.
/// </summary>
internal static class SeveralTermsBayesEstimator
{
    /// <summary>Below this many rows the chains' points are evaluated in parallel, each on one thread.</summary>
    private const int SmallRows = 10_000;

    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        var bayes = options.Bayes ?? new BayesOptions();
        Refuse(frame, options, bayes);
        BayesEstimator.Check(bayes);
        var clock = Stopwatch.StartNew();
        // The priors first: a statement naming what the model does not have is an error before any fitting.
        var terms = new CrossedTerms(frame);
        bool gaussianIdentity = frame.Family == FamilyKind.Gaussian && frame.Link == LinkKind.Identity;
        double responseScale = gaussianIdentity ? ConvergenceDiagnostics.StandardDeviation(frame.Response) : 1.0;
        var dispersion = ResultBuilder.DispersionOf(frame.Family, 1.0);
        var priorTerms = terms.Blocks.Select(b => new PriorTerm(b.GroupingFactor, b.TermNames, b.Correlated && b.Q > 1)).ToArray();
        var (priors, termPriors) = PriorSet.Resolve(bayes.Priors, frame.FixedNames, priorTerms, dispersion?.Name, responseScale);
        var transform = new SeveralTermsTransform(frame.P, terms.Layouts, priors, termPriors, dispersion is not null,
            frame.Family == FamilyKind.Gamma ? -0.5 : 1.0);
        var names = PosteriorSetup.QuantityNames(frame.FixedNames, priorTerms, dispersion?.Name);
        var ml = CrossedLaplaceEstimator.Fit(frame, options with { Method = FitMethod.Laplace, NAgq = 1, Bayes = null });
        double mlSeconds = clock.Elapsed.TotalSeconds;

        var psiMl = ml.Record.FinalParameters;
        // A singular fit's zero SD has no logarithm: start such an SD at a tenth of the response's scale.
        var start = transform.FromPsi(psiMl, 0.1 * responseScale);
        var jitter = new double[transform.Dimension];
        for (int i = 0; i < jitter.Length; i++)
            jitter[i] = i < frame.P && double.IsFinite(ml.FixedEffectsCovariance[i, i]) ? Math.Sqrt(ml.FixedEffectsCovariance[i, i]) : 0.3;

        bool small = frame.RowCount < SmallRows && bayes.Chains > 1;
        var criterionThreads = small ? new ParallelOptions { MaxDegreeOfParallelism = 1 } : options.Execution.Parallel;
        var density = new SeveralTermsDensity(() => CrossedLaplaceCriterion.Create(frame, terms, criterionThreads), transform,
            options.Execution.Parallel, chainsInParallel: small);
        var (chains, draws, stats, sampler) = NutsSampling.Run(bayes, transform, names.Length, start, jitter, density, () => density.Evaluations, options.Progress);
        var posterior = PosteriorSummaries.Build(names, draws, stats, sampler, priors.Description, frame.P,
            terms.Blocks.Select((b, k) => (b, transform.CorrelationCount(k) > 0)).ToArray(), dispersion?.Name);

        // The conditional modes at the posterior means, for the result's ranef.
        var psiMean = new double[transform.PsiCount];
        transform.ToPsi(NutsSampling.MeanPosition(chains, transform.Dimension), psiMean);
        var atMean = CrossedLaplaceCriterion.Create(frame, terms, options.Execution.Parallel);
        atMean.NegativeLogLikelihood(psiMean);
        var ranef = atMean.RanefOfLast(psiMean);

        bool trustworthy = !posterior.Warnings.Any(w => w.StartsWith(PosteriorSummaries.FailurePrefix, StringComparison.Ordinal));
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
            OptimizerMessage = $"maximum-likelihood (Laplace) start ({ml.Record.Evaluations} evaluations, {mlSeconds:0.00} s), then NUTS",
            Trail = ml.Record.Trail,
            Phases = [.. ml.Record.Phases, new PhaseTime("sampling", sampler.SamplingSeconds)],
            Seconds = clock.Elapsed.TotalSeconds,
            Sampler = sampler,
        };
        var covariance = new double[frame.P, frame.P];
        for (int i = 0; i < frame.P; i++)
            for (int j = 0; j < frame.P; j++) covariance[i, j] = NutsSampling.Covariance(draws, i, j);
        return new FitResult
        {
            Formula = ml.Formula,
            Family = ml.Family,
            Link = ml.Link,
            Method = FitMethod.Bayes,
            NAgq = 1,
            Record = record,
            NObs = ml.NObs,
            NGroups = ml.NGroups,
            FixedEffects = posterior.Fixef.Select(s => new Coefficient(s.Name, s.Mean, s.Sd, double.NaN, double.NaN)).ToArray(),
            FixedEffectsCovariance = covariance,
            VarCorr = terms.Blocks.Select((b, k) => new VarianceComponent(b.GroupingFactor, b.TermNames,
                posterior.VarCorr[k].Sd.Select(s => s.Mean).ToArray(), posterior.VarCorr[k].Corr.Select(c => c.Summary.Mean).ToArray(), b.LevelCount)).ToArray(),
            Dispersion = dispersion is null ? null : new Dispersion(dispersion.Name, posterior.Dispersion!.Mean),
            LogLik = null,
            ParameterCount = transform.PsiCount,
            Converged = trustworthy,
            Singular = false,
            Ranef = ranef,
            Messages = posterior.Warnings,
            FactorLevels = ml.FactorLevels,
            Posterior = posterior,
        };
    }

    /// <summary>What takes a single grouping factor for now, refused before any work with the factors named.</summary>
    private static void Refuse(ModelFrame frame, FitOptions options, BayesOptions bayes)
    {
        string factors = $"the formula has {frame.RandomEffects.Length} ({string.Join(", ", frame.RandomEffects.Select(b => $"'{b.GroupingFactor}'"))})";
        if (bayes.Algorithm == BayesAlgorithm.Grid)
            throw new GlmmException($"--sampler grid needs a single grouping factor for now, and {factors}: use the default NUTS sampler");
        if (options.NAgq > 1)
            throw new GlmmException($"--method bayes with --nagq {options.NAgq} needs a single grouping factor, and {factors}: " +
                "several factors' effects are integrated out by Laplace (leave out --nagq), as glmer's nAGQ > 1 takes one factor");
        if (bayes.RandomEffectDrawCount > 0)
            throw new GlmmException($"--ranef-draws needs a single grouping factor for now, and {factors}: the fit's ranef holds each factor's conditional modes at the posterior means");
    }
}

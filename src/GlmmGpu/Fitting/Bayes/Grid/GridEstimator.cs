using System.Diagnostics;
using System.Globalization;
using GlmmGpu.Engines;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// A Bayesian fit without Monte Carlo error (<c>--sampler grid</c>): INLA's grid strategy (Rue, Martino and Chopin
/// 2009) on our marginal likelihood. The fixed effects are integrated out by Laplace's method at each value of the
/// variance parameters (<see cref="ConditionalFixedEffects"/>), giving log p(v | y); its mode and curvature
/// (<see cref="VarianceMode"/>) standardise v (<see cref="StandardisedAxes"/>), a lattice in the standardised
/// coordinates is walked out to the threshold (<see cref="GridExploration"/>), and the points' normalised densities
/// are the weights. Each fixed effect's posterior is the mixture over the points of its conditional normals corrected
/// for skewness (<see cref="ConditionalSkewness"/>, <see cref="SkewNormal"/>); each variance quantity's comes from a
/// finer lattice interpolated between them (<see cref="VarianceMarginals"/>).
/// </summary>
internal static class GridEstimator
{
    /// <summary>Weight beyond the threshold above which the grid is said to be cut short.</summary>
    private const double OuterWeightWarning = 0.05;

    public static FitResult Fit(ModelFrame frame, FitOptions options, BayesOptions bayes)
    {
        var settings = bayes.Grid;
        if (settings.Draws < 0) throw new GlmmException($"--grid-draws must be 0 or more, not {settings.Draws}");
        if (!(settings.Step > 0 && settings.Step <= 3)) throw new GlmmException($"--grid-step must lie in (0, 3], not {settings.Step}");
        if (settings.Threshold is { } threshold && !(threshold > 0 && threshold <= 20)) throw new GlmmException($"--grid-threshold must lie in (0, 20], not {settings.Threshold}");
        // Refused before the maximum-likelihood fit, which a model this size may take long over.
        var block = SingleGroupingFactor.Block(frame);
        int q = block.Q, m = q + (block.Correlated && q > 1 ? q * (q - 1) / 2 : 0) + (FamilyNames.HasDispersion(frame.Family) ? 1 : 0);
        if (m > GridSettings.MaxVarianceParameters)
            throw new GlmmException($"--sampler grid integrates over at most {GridSettings.MaxVarianceParameters} variance parameters and this model has {m} " +
                "(SDs, correlations and the dispersion); use --sampler nuts");
        var clock = Stopwatch.StartNew();
        using var setup = PosteriorSetup.Create(frame, options, bayes);
        var transform = setup.Transform;
        var layout = setup.Layout;
        int p = transform.P;
        var ml = setup.MaximumLikelihood;
        var density = new PosteriorDensity(setup.Engine, transform, evaluateTogether: true);
        var inner = new ConditionalFixedEffects(density, p, transform.Dimension);

        var grid = Stopwatch.StartNew();
        var start = transform.FromPsi(ml.Record.FinalParameters, 0.1 * setup.ResponseScale);
        var mode = VarianceMode.Find(inner, start[p..], start[..p]);
        // Every later batch's Newton solves start from the random effects' modes at the posterior mode.
        var psi = new double[layout.Count];
        transform.ToPsi([.. mode.AtMode.Mode, .. mode.Mode], psi);
        setup.Engine.Evaluate(psi, new double[layout.Count]);
        options.Progress?.Invoke("grid mode", mode.Iterations, mode.AtMode.LogDensity);

        // The mode's own point again, from those modes and with the skewness correction, as every grid point has.
        var atMode = inner.Solve([mode.Mode], [mode.AtMode.Mode], withSkewness: true)[0];
        if (!double.IsFinite(atMode.LogDensity))
            throw new GlmmException("the posterior density is not finite at the variance parameters' mode; use --sampler nuts");
        var axes = StandardisedAxes.FromHessian(mode.Mode, mode.Hessian);
        var points = GridExploration.Explore(inner, axes, atMode, settings, n => options.Progress?.Invoke("grid", n, double.NaN));
        var weighted = points.Where(x => double.IsFinite(x.Conditional.LogDensity)).ToList();
        double top = atMode.LogDensity;
        var weights = weighted.Select(x => Math.Exp(x.Conditional.LogDensity - top)).ToArray();
        double total = weights.Sum();

        var names = setup.Names;
        var fixef = new PosteriorSummary[p];
        for (int i = 0; i < p; i++)
            fixef[i] = MixtureSummary.OfSkewNormals(names[i], weights, weighted.Select(x => x.Conditional.Mean(i)).ToArray(),
                weighted.Select(x => Math.Sqrt(x.Conditional.Covariance[i, i])).ToArray(), weighted.Select(x => x.Conditional.ThirdCumulant[i]).ToArray());
        var (varianceSummaries, meanVariance) = VarianceMarginals.Summarise(weighted, axes, settings.Step, top, transform, names);
        double gridSeconds = grid.Elapsed.TotalSeconds;

        var warnings = new List<string>();
        int failed = weighted.Count(x => !x.Conditional.Converged);
        if (failed > 0)
            warnings.Add(PosteriorSummaries.FailurePrefix + $"the fixed effects' mode was not found at {failed} of the grid's {weighted.Count} points");
        double outer = weighted.Where(x => !x.Kept).Sum(x => Math.Exp(x.Conditional.LogDensity - top)) / total;
        if (outer > OuterWeightWarning)
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{100 * outer:0}% of the grid's weight lies beyond the threshold: the posterior of the variance parameters has heavy tails; ") +
                "raise --grid-threshold or use --sampler nuts");
        double highest = weighted.Max(x => x.Conditional.LogDensity);
        if (highest > top + 0.5)
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"a grid point's log density is {highest - top:0.00} above the mode's: the posterior may have several modes; check with --sampler nuts"));

        var record = new GridRecord
        {
            Settings = settings,
            VarianceParameters = m,
            Threshold = settings.ThresholdFor(m),
            PointsKept = points.Count(x => x.Kept),
            PointsEvaluated = points.Count,
            Refinement = VarianceMarginals.Refinement(m),
            ModeIterations = mode.Iterations,
            Mode = mode.Mode,
            WeightBeyondThreshold = outer,
            Evaluations = inner.Evaluations,
            Seconds = gridSeconds,
        };
        var draws = settings.Draws > 0
            ? new[] { GridDraws.Draw(weighted, axes, settings.Step, top, transform, settings.Draws, bayes.Seed) }
            : [];
        var posterior = GridPosterior.Build(setup, fixef, varianceSummaries, record, warnings, draws);

        // The fit's own fields: posterior means and SDs, the mixture's covariance, the modes at the posterior means.
        var meanZ = new double[transform.Dimension];
        for (int i = 0; i < p; i++) meanZ[i] = fixef[i].Mean;
        meanVariance.CopyTo(meanZ, p);
        var psiMean = new double[layout.Count];
        transform.ToPsi(meanZ, psiMean);
        setup.Engine.Evaluate(psiMean, new double[layout.Count]);
        var ranef = ResultBuilder.Ranef(setup.Data, layout.Lambda(psiMean), setup.Engine.Clusters);
        var covariance = MixtureCovariance(weighted, weights, total, p);

        bool trustworthy = !warnings.Any(w => w.StartsWith(PosteriorSummaries.FailurePrefix, StringComparison.Ordinal));
        var fitRecord = new FitRecord
        {
            Settings = options,
            Device = ml.Record.Device,
            DeviceReason = ml.Record.DeviceReason,
            Start = ml.Record.Start,
            InitialParameters = ml.Record.FinalParameters,
            FinalParameters = psiMean,
            Iterations = mode.Iterations,
            Evaluations = (int)Math.Min(int.MaxValue, ml.Record.Evaluations + inner.Evaluations),
            OptimizerMessage = $"maximum-likelihood start ({ml.Record.Evaluations} evaluations, {setup.MaximumLikelihoodSeconds:0.00} s), then the grid " +
                $"({points.Count} points over {m} variance parameter{(m == 1 ? "" : "s")})",
            Trail = ml.Record.Trail,
            Phases = [.. ml.Record.Phases, new PhaseTime("grid", gridSeconds)],
            Seconds = clock.Elapsed.TotalSeconds,
        };
        return new FitResult
        {
            Formula = ml.Formula,
            Family = ml.Family,
            Link = ml.Link,
            Method = FitMethod.Bayes,
            NAgq = setup.Nodes,
            Record = fitRecord,
            NObs = ml.NObs,
            NGroups = ml.NGroups,
            FixedEffects = fixef.Select(s => new Coefficient(s.Name, s.Mean, s.Sd, double.NaN, double.NaN)).ToArray(),
            FixedEffectsCovariance = covariance,
            VarCorr = [new VarianceComponent(block.GroupingFactor, block.TermNames,
                posterior.VarCorr[0].Sd.Select(s => s.Mean).ToArray(), posterior.VarCorr[0].Corr.Select(c => c.Summary.Mean).ToArray(), block.LevelCount)],
            Dispersion = setup.Dispersion is null ? null : new Dispersion(setup.Dispersion.Name, posterior.Dispersion!.Mean),
            LogLik = null,
            ParameterCount = layout.Count,
            Converged = trustworthy,
            Singular = false,
            Ranef = [ranef],
            Messages = warnings,
            FactorLevels = ml.FactorLevels,
            Posterior = posterior,
        };
    }

    /// <summary>The fixed effects' covariance under the mixture: E[C_k + mu_k mu_k'] - mu mu'.</summary>
    private static double[,] MixtureCovariance(List<GridPoint> points, double[] weights, double total, int p)
    {
        var mean = new double[p];
        var second = new double[p, p];
        for (int k = 0; k < points.Count; k++)
        {
            double w = weights[k] / total;
            var c = points[k].Conditional;
            for (int i = 0; i < p; i++)
            {
                mean[i] += w * c.Mean(i);
                for (int j = 0; j < p; j++) second[i, j] += w * (c.Covariance[i, j] + c.Mean(i) * c.Mean(j));
            }
        }
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) second[i, j] -= mean[i] * mean[j];
        return second;
    }
}

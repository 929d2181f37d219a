using GlmmGpu.Engines;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;
using GlmmGpu.Simulation;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// lme4's <c>bootMer(type = "parametric")</c> with percentile intervals: N responses simulated from the fit
/// (<see cref="ResponseSimulator"/>, replicate r from its own stream seeded by (seed, r)), each refitted by the fit's
/// method warm-started at the fit (Laplace and AGQ: BFGS from the estimates with the fit's inverse Hessian; ML and
/// REML: the profiled deviance from the fit's theta and curvature). Replicates run in parallel over the fit's threads,
/// each on the CPU path with one thread, and land in their own slot; the warm start's curvature is the CPU path's too,
/// so the intervals depend on neither the number of threads nor the device. The statistics are those <c>bootMer</c> is usually given: the fixed effects, the SDs, the correlations and
/// the dispersion.
/// </summary>
internal static class ParametricBootstrap
{
    public static ConfidenceIntervals Compute(ModelFrame frame, FitResult fit, IntervalOptions options, FitOptions fitOptions)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var replicate = frame.RandomEffects.Length > 1 ? SeveralFactorReplicates(frame, fit, fitOptions)
            : fit.Method is FitMethod.Ml or FitMethod.Reml ? LinearReplicates(frame, fit, fitOptions)
            : LikelihoodReplicates(frame, fit, fitOptions);
        int count = options.Replicates;
        var estimates = new double[count][];
        var converged = new bool[count];
        Parallel.For(0, count, fitOptions.Execution.Parallel, r =>
        {
            var rng = new Random(ResponseSimulator.StreamSeed(options.Seed, r));
            try
            {
                (estimates[r], converged[r]) = replicate(rng);
            }
            catch (GlmmException)
            {
                // A replicate with nothing to fit (e.g. a response without variation) is left out, as bootMer's failures are.
                estimates[r] = null!;
            }
        });
        return Summarise(fit, options, estimates, converged, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The statistics in order: fixed effects, each grouping factor's SDs then correlations, the reported dispersion.</summary>
    private static double[] Statistics(IEnumerable<double> beta, IEnumerable<VarianceComponent> varCorr, double? dispersion) =>
        beta.Concat(varCorr.SelectMany(v => v.Sd.Concat(v.Corr))).Concat(dispersion is { } d ? new[] { d } : Array.Empty<double>()).ToArray();

    private static double[] Statistics(double[] beta, VarianceComponent varCorr, double? dispersion) => Statistics(beta, [varCorr], dispersion);

    private static ModelFrame WithResponse(ModelFrame frame, double[] response) => new()
    {
        Formula = frame.Formula, Family = frame.Family, Link = frame.Link, Response = response, Weights = frame.Weights,
        Offset = frame.Offset, X = frame.X, FixedNames = frame.FixedNames, DroppedColumns = frame.DroppedColumns,
        FixedDesign = frame.FixedDesign, RandomEffects = frame.RandomEffects, DroppedRows = frame.DroppedRows,
        SourceRow = frame.SourceRow, WeightsColumn = frame.WeightsColumn, FactorLevels = frame.FactorLevels,
    };

    private static ExecutionOptions OneCpuThread(ExecutionOptions execution) => execution with { Device = DeviceChoice.Cpu, Threads = 1 };

    /// <summary>Laplace and AGQ: a replicate is a draw and a BFGS refit from the fit's estimates and inverse Hessian.</summary>
    private static Func<Random, (double[], bool)> LikelihoodReplicates(ModelFrame frame, FitResult fit, FitOptions fitOptions)
    {
        int nodes = fit.Method == FitMethod.Laplace ? 1 : fit.NAgq;
        var data = MarginalLikelihoodData.Create(frame, nodes);
        var layout = data.Layout;
        var psiHat = fit.Record.FinalParameters;
        double[,] inverseHessian;
        // On the CPU path, whose results do not depend on the threads, so that no replicate depends on the device.
        using (var engine = EngineFactory.Create(data, fitOptions.Execution with { Device = DeviceChoice.Cpu }))
        {
            var gradient = new double[layout.Count];
            engine.Evaluate(psiHat, gradient);
            for (int i = 0; i < gradient.Length; i++) gradient[i] = -gradient[i];
            var hessian = MaximumLikelihoodEstimator.Hessian(engine, psiHat, gradient, layout.Count);
            inverseHessian = LinearAlgebra.Dense.InverseSpd(hessian) ?? Identity(layout.Count);
        }
        var lambdaHat = layout.Lambda(psiHat);
        double phi = layout.Phi(psiHat);
        var execution = OneCpuThread(fitOptions.Execution);
        return rng =>
        {
            var y = ResponseSimulator.Draw(frame, psiHat.AsSpan(0, layout.P), lambdaHat, phi, rng);
            var replicateData = MarginalLikelihoodData.Create(WithResponse(frame, y), nodes);
            using var engine = EngineFactory.Create(replicateData, execution);
            Bfgs.Objective objective = (x, g) => MaximumLikelihoodEstimator.NegativeLogLikelihood(engine, x, g);
            var summary = Bfgs.Minimize(objective, (double[])psiHat.Clone(), fitOptions.MaxIterations, 1e-7, null, inverseHessian);
            var psi = summary.Minimizer;
            var varCorr = ResultBuilder.VarCorr(data.Block, layout.Lambda(psi), layout.Q);
            var dispersion = layout.HasDispersion ? DispersionScale.Reported(frame.Family, psi[layout.DispersionIndex]) : (double?)null;
            return (Statistics(psi[..layout.P], varCorr, dispersion), summary.Converged);
        };
    }

    /// <summary>
    /// Several grouping factors (crossed or nested): a replicate is a draw with every term's effects (in lme4's order of
    /// the terms, the fit's) and a refit by the fit's method from its usual start, as bootMer refits with lme4's.
    /// </summary>
    private static Func<Random, (double[], bool)> SeveralFactorReplicates(ModelFrame frame, FitResult fit, FitOptions fitOptions)
    {
        var blocks = new Crossed.CrossedTerms(frame).Blocks;
        // The fit's SDs are on the response's scale (the linear model's include sigma), as the draw takes them.
        var terms = blocks.Select((block, k) => (block, CovarianceFactor(fit.VarCorr[k], block.Q))).ToArray();
        double phi = fit.Dispersion is { } d ? LikelihoodDispersion(frame.Family, d.Value) : 1.0;
        var beta = fit.FixedEffects.Select(c => c.Estimate).ToArray();
        var refitOptions = fitOptions with { Execution = OneCpuThread(fitOptions.Execution), Progress = null };
        return rng =>
        {
            var y = ResponseSimulator.Draw(frame, beta, terms, phi, rng);
            var refit = Crossed.CrossedEstimators.Fit(WithResponse(frame, y), refitOptions);
            return (Statistics(refit.FixedEffects.Select(c => c.Estimate), refit.VarCorr, refit.Dispersion?.Value), refit.Converged);
        };
    }

    /// <summary>The reported dispersion (<see cref="ResultBuilder.DispersionOf"/>) as the likelihood takes it: the
    /// Gamma's shape from its sigma, the others as reported.</summary>
    private static double LikelihoodDispersion(FamilyKind family, double reported) =>
        family == FamilyKind.Gamma ? 1.0 / (reported * reported) : reported;

    /// <summary>A lower-triangular L with L L' the component's covariance (SDs and correlations); a zero SD (a
    /// singular fit) gives a zero column.</summary>
    internal static Mat3 CovarianceFactor(VarianceComponent component, int q)
    {
        var cov = default(Mat3);
        for (int i = 0; i < q; i++)
        {
            cov[i, i] = component.Sd[i] * component.Sd[i];
            for (int j = 0; j < i && component.Corr.Length > 0; j++)
            {
                double r = component.Corr[i * (i - 1) / 2 + j];
                cov[i, j] = cov[j, i] = double.IsFinite(r) ? r * component.Sd[i] * component.Sd[j] : 0.0;
            }
        }
        return CovarianceCoordinates.CholeskyAllowingZeros(cov, q);
    }

    /// <summary>ML and REML: a replicate is a draw, its cross-products and a fit of the profiled deviance from the fit's.</summary>
    private static Func<Random, (double[], bool)> LinearReplicates(ModelFrame frame, FitResult fit, FitOptions fitOptions)
    {
        var block = SingleGroupingFactor.Block(frame);
        var criterion = fit.Method == FitMethod.Reml ? LmmCriterion.Reml : LmmCriterion.Ml;
        LmmFitter.Result original;
        var cpu = fitOptions.Execution with { Device = DeviceChoice.Cpu };
        using (var engine = LinearEngineFactory.Create<FamilyLink<GaussianDensity, IdentityLink>>(frame, block, cpu, out _))
            original = LmmFitter.Fit(engine.ResponseStatistics(), block.Correlated, criterion, null, fitOptions.MaxIterations);
        double sigma = original.Solution.Sigma;
        var lambda = Scaled(original.Lambda, sigma, block.Q);
        var beta = original.Solution.Beta;
        var execution = OneCpuThread(fitOptions.Execution);
        return rng =>
        {
            var y = ResponseSimulator.Draw(frame, beta, lambda, sigma, rng);
            LmmSufficientStatistics stats;
            using (var engine = LinearEngineFactory.Create<FamilyLink<GaussianDensity, IdentityLink>>(WithResponse(frame, y), block, execution, out _))
                stats = engine.ResponseStatistics();
            var refit = LmmFitter.Fit(stats, block.Correlated, criterion, original, fitOptions.MaxIterations);
            var s = refit.Solution.Sigma;
            var varCorr = ResultBuilder.VarCorr(block, Scaled(refit.Lambda, s, block.Q), block.Q);
            return (Statistics(refit.Solution.Beta, varCorr, s), refit.Summary.Converged);
        };
    }

    private static Mat3 Scaled(in Mat3 lambda, double sigma, int q)
    {
        var scaled = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int j = 0; j < q; j++) scaled[i, j] = sigma * lambda[i, j];
        return scaled;
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    private static ConfidenceIntervals Summarise(FitResult fit, IntervalOptions options, double[][] estimates, bool[] converged, double seconds)
    {
        var used = estimates.Where(e => e is not null && e.All(double.IsFinite)).ToArray();
        int p = fit.FixedEffects.Count;
        int width = p + fit.VarCorr.Sum(v => v.Sd.Length + v.Corr.Length) + (fit.Dispersion is null ? 0 : 1);
        var intervals = new Interval[width];
        var sds = new double[width];
        double alpha = (1 - options.Level) / 2;
        for (int k = 0; k < width; k++)
        {
            var values = used.Select(e => e[k]).ToArray();
            Array.Sort(values);
            intervals[k] = new Interval(Percentile(values, alpha), Percentile(values, 1 - alpha));
            sds[k] = StandardDeviation(values);
        }
        var components = new List<ComponentIntervals>();
        int at = p;
        foreach (var component in fit.VarCorr)
        {
            int q = component.Sd.Length, c = component.Corr.Length;
            components.Add(new ComponentIntervals(component.Factor, component.TermNames, intervals[at..(at + q)], intervals[(at + q)..(at + q + c)],
                sds[at..(at + q)], sds[(at + q)..(at + q + c)]));
            at += q + c;
        }
        var notes = new List<string>();
        if (used.Length < estimates.Length)
            notes.Add($"{estimates.Length - used.Length} of {estimates.Length} bootstrap refits failed and are left out");
        int notConverged = converged.Where((ok, r) => !ok && estimates[r] is not null).Count();
        if (notConverged > 0)
            notes.Add($"{notConverged} of {estimates.Length} bootstrap refits stopped short of the optimizer's convergence test (kept, as bootMer keeps them)");
        return new ConfidenceIntervals
        {
            Method = IntervalMethod.Bootstrap,
            Level = options.Level,
            FixedNames = fit.FixedEffects.Select(e => e.Name).ToArray(),
            Fixef = intervals[..p],
            FixefBootstrapSd = sds[..p],
            VarCorr = components,
            DispersionName = fit.Dispersion?.Name,
            Dispersion = fit.Dispersion is null ? null : intervals[^1],
            DispersionBootstrapSd = fit.Dispersion is null ? null : sds[^1],
            Replicates = estimates.Length,
            ReplicatesUsed = used.Length,
            ReplicateStatistics = used,
            Notes = notes,
            Seconds = seconds,
        };
    }

    /// <summary>
    /// The percentile end as the boot package's <c>boot.ci(type = "perc")</c> takes it (norm.inter): order statistic
    /// (R + 1) alpha of the sorted replicates, interpolated on the normal quantile scale between neighbours when that
    /// is not a whole number, the extreme replicate beyond them.
    /// </summary>
    internal static double Percentile(double[] sorted, double alpha)
    {
        int r = sorted.Length;
        if (r == 0) return double.NaN;
        double rank = (r + 1) * alpha;
        int k = (int)Math.Floor(rank);
        if (rank == k && k >= 1 && k <= r) return sorted[k - 1];
        if (k < 1) return sorted[0];
        if (k >= r) return sorted[r - 1];
        double target = NormalQuantile.Of(alpha), lo = NormalQuantile.Of(k / (r + 1.0)), hi = NormalQuantile.Of((k + 1) / (r + 1.0));
        return sorted[k - 1] + (target - lo) / (hi - lo) * (sorted[k] - sorted[k - 1]);
    }

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2) return double.NaN;
        double mean = values.Average(), s = 0;
        foreach (var v in values) s += (v - mean) * (v - mean);
        return Math.Sqrt(s / (values.Length - 1));
    }
}

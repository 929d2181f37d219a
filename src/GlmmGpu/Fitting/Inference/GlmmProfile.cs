using GlmmGpu.Engines;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// Profile-likelihood intervals of a Laplace or AGQ fit (lme4's <c>profile</c> then <c>confint</c>): the engine's
/// log-likelihood and exact gradient at psi = (beta, theta, log phi), taken to coordinates u = (beta, SDs and a_ij of
/// <see cref="CovarianceCoordinates"/>, log phi) in which every fixed effect, every SD, corr(1, 0) and the dispersion
/// are each a coordinate, and profiled there by <see cref="LikelihoodProfiler"/>; the other correlations of three
/// effects in the same coordinates of the effects reordered. The Hessian in u that starts the
/// profiles is differenced from the exact gradient at n points evaluated together (<see cref="IMarginalLikelihoodEngine.EvaluateMany"/>).
/// </summary>
internal static class GlmmProfile
{
    /// <summary>a_10 beyond which a correlation's profile is taken not to cross: corr 0.99995. An end there is reported
    /// as -1 or 1 (the likelihood does not fall by the quantile before the correlation's bound).</summary>
    private const double CorrelationLimit = 100;

    /// <param name="lockstep">Whether the ends' refits advance together, their points evaluated several at a time
    /// (<see cref="LockstepEvaluations"/>), or one end after another, each point from its neighbour's modes. Null: together
    /// on a device, where one pass serves many points for little more than one; apart on the CPU path, whose passes
    /// cost per point anyway and whose points then start Newton's method closer to their modes (benchmarks/RESULTS.md).</param>
    public static ConfidenceIntervals Compute(ModelFrame frame, FitResult fit, double level, ExecutionOptions execution, bool? lockstep = null)
    {
        int nodes = fit.Method == FitMethod.Laplace ? 1 : fit.NAgq;
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var engine = EngineFactory.Create(data, execution);
        var map = new GlmmCoordinates(data.Layout, data.Block.Correlated);
        var psiHat = fit.Record.FinalParameters;
        var uHat = map.FromPsi(psiHat);
        Optimization.Bfgs.Objective objective = (u, g) => map.NegativeLogLikelihood(engine, u, g);
        var gradient = new double[uHat.Length];
        double fHat = objective(uHat, gradient);
        var hessian = map.Hessian(engine, uHat, gradient);
        // The other correlations of three effects, each in coordinates where it is one (one end after another).
        var reordered = Reordering(engine, data.Layout, psiHat);
        if (!(lockstep ?? engine.Device != "cpu"))
            return Assemble(fit, level, uHat, fHat, hessian, objective, map.Covariance, data.Layout.P, frame.Family, data.Layout.HasDispersion,
                reordered: reordered);
        var batches = new LockstepEvaluations(engine);
        Optimization.Bfgs.Objective together = (u, g) => map.NegativeLogLikelihood(batches.Evaluate, u, g);
        var intervals = Assemble(fit, level, uHat, fHat, hessian, together, map.Covariance, data.Layout.P, frame.Family, data.Layout.HasDispersion,
            lockstep: batches, reordered: reordered);
        return new ConfidenceIntervals
        {
            Method = intervals.Method, Level = level, FixedNames = intervals.FixedNames, Fixef = intervals.Fixef, VarCorr = intervals.VarCorr,
            DispersionName = intervals.DispersionName, Dispersion = intervals.Dispersion, Notes = intervals.Notes,
            Refits = intervals.Refits, Evaluations = intervals.Evaluations, Seconds = intervals.Seconds, Passes = batches.Batches,
        };
    }

    /// <summary>The profile's zeta with coordinate <paramref name="coordinate"/> of u (fixed effects, then SDs and a_ij,
    /// then log phi) held at <paramref name="value"/>: where another implementation's end lies on this profile.</summary>
    internal static double ZetaAt(ModelFrame frame, FitResult fit, ExecutionOptions execution, int coordinate, double value)
    {
        int nodes = fit.Method == FitMethod.Laplace ? 1 : fit.NAgq;
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var engine = EngineFactory.Create(data, execution);
        var map = new GlmmCoordinates(data.Layout, data.Block.Correlated);
        var uHat = map.FromPsi(fit.Record.FinalParameters);
        Optimization.Bfgs.Objective objective = (u, g) => map.NegativeLogLikelihood(engine, u, g);
        var gradient = new double[uHat.Length];
        double fHat = objective(uHat, gradient);
        var inverse = LikelihoodProfiler.Covariance(map.Hessian(engine, uHat, gradient))
            ?? throw new GlmmException("the Hessian is not positive definite at the estimates");
        return new LikelihoodProfiler(objective, uHat, fHat, inverse).Zeta(coordinate, value);
    }

    /// <summary>corr(i, j)'s interval (i, j in either order), profiled in the coordinates of the effects reordered j, i, then the rest, where it is
    /// corr(1, 0) and so a coordinate; with the refits and evaluations it took.</summary>
    internal static (Interval Interval, int Refits, int Evaluations) ReorderedCorrelation(Reparameterisation reordered, int q, int p, int i, int j, double z)
    {
        var order = new[] { j, i }.Concat(Enumerable.Range(0, q).Where(e => e != i && e != j)).ToArray();
        var other = new CovarianceCoordinates(q, correlated: true, order);
        var setup = reordered(other);
        if (LikelihoodProfiler.Covariance(setup.Hessian, out _) is not { } inverse) return (Interval.Unavailable, 0, 0);
        var profiler = new LikelihoodProfiler(setup.Objective, setup.Optimum, setup.Minimum, inverse);
        int coordinate = p + other.OffDiagonalIndex(1, 0);
        var ends = profiler.Ends(new[]
        {
            new LikelihoodProfiler.EndJob(coordinate, -1, double.NegativeInfinity, CorrelationLimit),
            new LikelihoodProfiler.EndJob(coordinate, +1, double.PositiveInfinity, CorrelationLimit),
        }, z, null);
        return (new Interval(CovarianceCoordinates.CorrelationOf(ends[0]), CovarianceCoordinates.CorrelationOf(ends[1])), profiler.Refits, profiler.Evaluations);
    }

    /// <summary>The reordering of a Laplace or AGQ fit's coordinates, for <see cref="ReorderedCorrelation"/>: the
    /// profile's objective, optimum and Hessian in the given covariance coordinates, through <paramref name="engine"/>.</summary>
    internal static Reparameterisation Reordering(IMarginalLikelihoodEngine engine, ParameterLayout layout, double[] psiHat) => covariance =>
    {
        var other = new GlmmCoordinates(layout, covariance);
        var u0 = other.FromPsi(psiHat);
        Optimization.Bfgs.Objective f = (u, g) => other.NegativeLogLikelihood(engine, u, g);
        var g0 = new double[u0.Length];
        double f0 = f(u0, g0);
        return new ProfileSetup(f, u0, f0, other.Hessian(engine, u0, g0));
    };

    /// <summary>A profile's objective, optimum, minimum and Hessian in some coordinates.</summary>
    internal sealed record ProfileSetup(Optimization.Bfgs.Objective Objective, double[] Optimum, double Minimum, double[,] Hessian);

    /// <summary>The profile's setup in the coordinates of other covariance coordinates (same layout otherwise).</summary>
    internal delegate ProfileSetup Reparameterisation(CovarianceCoordinates covariance);

    /// <summary>The intervals from a profiler on coordinates (beta, covariance coordinates, log phi or log sigma), shared
    /// with the linear mixed model's profile; <paramref name="p"/> is the number of fixed effects among the coordinates
    /// (0 where they are not profiled).</summary>
    internal static ConfidenceIntervals Assemble(FitResult fit, double level, double[] uHat, double fHat, double[,] hessian,
        Optimization.Bfgs.Objective objective, CovarianceCoordinates covariance, int p, Kernels.Families.FamilyKind family, bool hasDispersion,
        List<string>? notes = null, LockstepEvaluations? lockstep = null, Reparameterisation? reordered = null) =>
        Assemble(fit, level, uHat, fHat, hessian, objective, [covariance], p, family, hasDispersion, notes, lockstep, reordered);

    /// <summary>As above with one set of covariance coordinates per grouping factor of <see cref="FitResult.VarCorr"/>,
    /// one after another after the fixed effects; <paramref name="reordered"/> applies to a single one.</summary>
    internal static ConfidenceIntervals Assemble(FitResult fit, double level, double[] uHat, double fHat, double[,] hessian,
        Optimization.Bfgs.Objective objective, IReadOnlyList<CovarianceCoordinates> covariances, int p, Kernels.Families.FamilyKind family,
        bool hasDispersion, List<string>? notes = null, LockstepEvaluations? lockstep = null, Reparameterisation? reordered = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        notes ??= new List<string>();
        double z = NormalQuantile.Of((1 + level) / 2);
        var inverse = LikelihoodProfiler.Covariance(hessian, out bool regularised);
        if (regularised)
            notes.Add("the likelihood's Hessian is not positive definite at the estimates (a singular fit?): the profiles start from a regularised curvature");
        var fixef = Enumerable.Repeat(Interval.Unavailable, fit.FixedEffects.Count).ToArray();
        var sds = fit.VarCorr.Select(v => Enumerable.Repeat(Interval.Unavailable, v.Sd.Length).ToArray()).ToArray();
        var corrs = fit.VarCorr.Select(v => Enumerable.Repeat(Interval.Unavailable, v.Corr.Length).ToArray()).ToArray();
        var offsets = new int[covariances.Count];
        for (int c = 1; c < covariances.Count; c++) offsets[c] = offsets[c - 1] + covariances[c - 1].Count;
        Interval? dispersion = fit.Dispersion is null ? null : Interval.Unavailable;
        int refits = 0, evaluations = 0;
        if (inverse is null)
            notes.Add("profile intervals are not available: the likelihood's Hessian is not finite at the estimates");
        else
        {
            var profiler = new LikelihoodProfiler(objective, uHat, fHat, inverse);
            // The coordinates to profile and the lower bound of each (an SD's is 0); both ends of each.
            var targets = new List<(int J, double Lower, double Limit)>();
            for (int j = 0; j < p; j++) targets.Add((j, double.NegativeInfinity, 1e8));
            for (int c = 0; c < covariances.Count; c++)
            {
                for (int i = 0; i < covariances[c].Q; i++) targets.Add((p + offsets[c] + i, 0.0, 1e8));
                if (covariances[c].Correlated) targets.Add((p + offsets[c] + covariances[c].OffDiagonalIndex(1, 0), double.NegativeInfinity, CorrelationLimit));
            }
            if (hasDispersion && dispersion is not null) targets.Add((uHat.Length - 1, double.NegativeInfinity, 1e8));
            var jobs = targets.SelectMany(t => new[]
            {
                new LikelihoodProfiler.EndJob(t.J, -1, t.Lower, t.Limit), new LikelihoodProfiler.EndJob(t.J, +1, double.PositiveInfinity, t.Limit),
            }).ToList();
            var ends = profiler.Ends(jobs, z, lockstep);
            var byCoordinate = targets.Select((t, k) => (t.J, Interval: new Interval(ends[2 * k], ends[2 * k + 1]))).ToDictionary(x => x.J, x => x.Interval);
            for (int j = 0; j < p; j++) fixef[j] = byCoordinate[j];
            for (int c = 0; c < covariances.Count; c++)
            {
                var covariance = covariances[c];
                int at = p + offsets[c];
                for (int i = 0; i < covariance.Q; i++) sds[c][i] = byCoordinate[at + i];
                if (!covariance.Correlated) continue;
                var a = byCoordinate[at + covariance.OffDiagonalIndex(1, 0)];
                corrs[c][0] = new Interval(CovarianceCoordinates.CorrelationOf(a.Lower), CovarianceCoordinates.CorrelationOf(a.Upper));
                // corr(i, j) for (2, 0) and (2, 1): the effects reordered so that j comes first and i second.
                for (int i = 2; i < covariance.Q; i++)
                    for (int j = 0; j < i; j++)
                    {
                        int k = i * (i - 1) / 2 + j;
                        if (reordered is null || covariances.Count > 1)
                        {
                            notes.Add($"the profile interval of correlation {k + 1} of {fit.VarCorr[c].Factor} is not available here (NA)");
                            continue;
                        }
                        var (interval, otherRefits, otherEvaluations) = ReorderedCorrelation(reordered, covariance.Q, p, i, j, z);
                        corrs[c][k] = interval;
                        refits += otherRefits;
                        evaluations += otherEvaluations;
                    }
            }
            if (hasDispersion && dispersion is not null)
                dispersion = DispersionScale.Reported(family, byCoordinate[uHat.Length - 1]);
            refits += profiler.Refits;
            evaluations += profiler.Evaluations;
            if (profiler.BestImprovement > 1e-6)
                notes.Add($"a profile refit found a log-likelihood {profiler.BestImprovement:G3} above the fit's: the fit was not at its optimum");
        }
        return new ConfidenceIntervals
        {
            Method = IntervalMethod.Profile,
            Level = level,
            FixedNames = fit.FixedEffects.Select(c => c.Name).ToArray(),
            Fixef = fixef,
            VarCorr = fit.VarCorr.Select((v, c) => new ComponentIntervals(v.Factor, v.TermNames, sds[c], corrs[c])).ToArray(),
            DispersionName = fit.Dispersion?.Name,
            Dispersion = dispersion,
            Notes = notes,
            Refits = refits,
            Evaluations = evaluations,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }
}

/// <summary>The map between the optimizer's psi = (beta, theta, log phi) and the profile's u = (beta, covariance
/// coordinates, log phi), with the chain rule for the engine's gradient.</summary>
internal sealed class GlmmCoordinates(ParameterLayout layout, CovarianceCoordinates covariance)
{
    public GlmmCoordinates(ParameterLayout layout, bool correlated) : this(layout, new CovarianceCoordinates(layout.Q, correlated)) { }

    public CovarianceCoordinates Covariance { get; } = covariance;
    public int Count => layout.Count - layout.ThetaCount + Covariance.Count;

    public double[] FromPsi(ReadOnlySpan<double> psi)
    {
        var u = new double[Count];
        psi[..layout.P].CopyTo(u);
        Covariance.FromLambda(layout.Lambda(psi)).CopyTo(u, layout.P);
        if (layout.HasDispersion) u[^1] = psi[layout.DispersionIndex];
        return u;
    }

    public void ToPsi(ReadOnlySpan<double> u, Span<double> psi)
    {
        u[..layout.P].CopyTo(psi);
        var lambda = Covariance.Lambda(u.Slice(layout.P, Covariance.Count));
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            var (r, c) = layout.ThetaPosition(k);
            psi[layout.P + k] = lambda[r, c];
        }
        if (layout.HasDispersion) psi[layout.DispersionIndex] = u[^1];
    }

    /// <summary>u's gradient of -log L from the engine's gradient of log L in psi.</summary>
    public void Gradient(ReadOnlySpan<double> u, ReadOnlySpan<double> psiGradient, Span<double> gradient)
    {
        for (int i = 0; i < layout.P; i++) gradient[i] = -psiGradient[i];
        var lambdaGradient = default(Mat3);
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            var (r, c) = layout.ThetaPosition(k);
            lambdaGradient[r, c] = -psiGradient[layout.P + k];
        }
        Covariance.LambdaGradient(u.Slice(layout.P, Covariance.Count), lambdaGradient, gradient.Slice(layout.P, Covariance.Count));
        if (layout.HasDispersion) gradient[^1] = -psiGradient[layout.DispersionIndex];
    }

    public double NegativeLogLikelihood(IMarginalLikelihoodEngine engine, ReadOnlySpan<double> u, Span<double> gradient) =>
        NegativeLogLikelihood(engine.Evaluate, u, gradient);

    /// <summary>A log-likelihood evaluation (the engine's, or a batched one) at psi.</summary>
    public delegate double LogLikelihood(ReadOnlySpan<double> psi, Span<double> gradient);

    public double NegativeLogLikelihood(LogLikelihood evaluate, ReadOnlySpan<double> u, Span<double> gradient)
    {
        var psi = new double[layout.Count];
        var psiGradient = new double[layout.Count];
        ToPsi(u, psi);
        double logLik = evaluate(psi, psiGradient);
        if (!double.IsFinite(logLik)) return double.PositiveInfinity;
        Gradient(u, psiGradient, gradient);
        return -logLik;
    }

    /// <summary>-log L's Hessian in u by forward differences of the exact gradient, the n points in one pass over the rows
    /// from the modes at <paramref name="u"/> (the engine's last evaluation); <paramref name="gradient"/> is u's gradient there.</summary>
    public double[,] Hessian(IMarginalLikelihoodEngine engine, double[] u, double[] gradient)
    {
        int n = Count, m = layout.Count;
        var points = new double[n * m];
        var steps = new double[n];
        for (int i = 0; i < n; i++)
        {
            steps[i] = 1e-5 * Math.Max(1.0, Math.Abs(u[i]));
            var shifted = (double[])u.Clone();
            shifted[i] += steps[i];
            ToPsi(shifted, points.AsSpan(i * m, m));
        }
        var logLiks = new double[n];
        var gradients = new double[n * m];
        engine.EvaluateMany(points, logLiks, gradients);
        var h = new double[n, n];
        var g = new double[n];
        for (int i = 0; i < n; i++)
        {
            var shifted = (double[])u.Clone();
            shifted[i] += steps[i];
            Gradient(shifted, gradients.AsSpan(i * m, m), g);
            for (int j = 0; j < n; j++) h[j, i] = (g[j] - gradient[j]) / steps[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) h[i, j] = h[j, i] = 0.5 * (h[i, j] + h[j, i]);
        return h;
    }
}

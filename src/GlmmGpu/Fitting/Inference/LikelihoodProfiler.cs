using GlmmGpu.Fitting.Optimization;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// lme4's profile likelihood on a negative log-likelihood f(u): for coordinate j held at t, the others refitted,
/// zeta(t) = sign(t - u^_j) sqrt(2 (f_t - f^)); an interval's ends are where zeta = -+ z. lme4 steps a grid and fits
/// splines; here each end is solved for directly (secant steps, then regula falsi once bracketed) on the refits
/// themselves. Each refit starts from its nearest neighbour's optimum shifted along the quadratic approximation's
/// profile trace (u_o moves by V_oj / V_jj per unit of u_j, V the inverse Hessian), with V_oo - V_oj V_jo / V_jj as
/// BFGS's first inverse Hessian, so it takes few evaluations.
/// </summary>
internal sealed class LikelihoodProfiler
{
    /// <summary>|zeta - target| at which an end is taken as found: about 1e-5 SE in the parameter.</summary>
    private const double ZetaTolerance = 1e-5;
    private const int MaxRefitsPerEnd = 30;
    private const double RefitDecrementTolerance = 1e-9;

    private readonly Bfgs.Objective objective;
    private readonly double[] optimum;
    private readonly double minimum;
    private readonly double[,] covariance;
    private readonly int maxIterations;

    private int refits, evaluations;
    private double bestImprovement;
    private readonly object improvementGate = new();

    public int Refits => refits;
    public int Evaluations => evaluations;
    /// <summary>The lowest f a refit found below the fit's: a profile that finds a better optimum says the fit was not at one.</summary>
    public double BestImprovement => bestImprovement;

    /// <summary>One end to find: coordinate <paramref name="J"/> on side <paramref name="Side"/> (-1 lower, +1 upper),
    /// not past <paramref name="Bound"/>.</summary>
    /// <param name="Limit">|u_j| beyond which zeta is taken never to reach z: the end is then +-infinity (a correlation's
    /// a_10 at 100 is corr 0.99995, where lme4's profile stops too).</param>
    public readonly record struct EndJob(int J, int Side, double Bound, double Limit = 1e8);

    /// <summary>
    /// Every end of <paramref name="jobs"/>, one after another, or with <paramref name="lockstep"/> each on its own
    /// thread, their evaluations batched by <paramref name="lockstep"/> (the objective must then evaluate through it).
    /// </summary>
    public double[] Ends(IReadOnlyList<EndJob> jobs, double z, LockstepEvaluations? lockstep)
    {
        var ends = new double[jobs.Count];
        if (lockstep is null)
        {
            for (int k = 0; k < jobs.Count; k++) ends[k] = End(jobs[k].J, jobs[k].Side, z, jobs[k].Bound, jobs[k].Limit);
            return ends;
        }
        // Dedicated threads, not the pool's: they wait on one another while the engine's own passes take pool threads.
        foreach (var _ in jobs) lockstep.Join();
        Exception? failure = null;
        var threads = jobs.Select((job, k) => new Thread(() =>
        {
            try
            {
                ends[k] = End(job.J, job.Side, z, job.Bound, job.Limit);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                lockstep.Leave();
            }
        }) { IsBackground = true }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (failure is not null) throw failure;
        return ends;
    }

    /// <param name="objective">f(u) and its gradient.</param>
    /// <param name="optimum">u^, the fit.</param>
    /// <param name="minimum">f(u^).</param>
    /// <param name="covariance">The inverse of f's Hessian at u^.</param>
    public LikelihoodProfiler(Bfgs.Objective objective, double[] optimum, double minimum, double[,] covariance, int maxIterations = 500)
    {
        this.objective = objective;
        this.optimum = optimum;
        this.minimum = minimum;
        this.covariance = covariance;
        this.maxIterations = maxIterations;
    }

    /// <summary>The interval for coordinate <paramref name="j"/> at normal quantile <paramref name="z"/>, within
    /// [<paramref name="lowerBound"/>, <paramref name="upperBound"/>] (an end that does not cross there is the bound).</summary>
    public Interval Interval(int j, double z, double lowerBound = double.NegativeInfinity, double upperBound = double.PositiveInfinity) =>
        new(End(j, -1, z, lowerBound), End(j, +1, z, upperBound));

    private sealed record Point(double T, double Zeta, double[] Others);

    /// <summary>Where zeta = side z, on the side of u^_j that <paramref name="side"/> names.</summary>
    public double End(int j, int side, double z, double bound, double limit = 1e8)
    {
        double se = Math.Sqrt(covariance[j, j]);
        if (!(se > 0) || !double.IsFinite(se)) return double.NaN;
        var (others, trace, conditional, start) = Setup(j);
        var points = new List<Point> { start };
        double target = side * z;
        Point? inside = start, outside = null;
        double t = optimum[j] + side * z * se;
        bool boundTried = false;
        for (int refit = 0; refit < MaxRefitsPerEnd; refit++)
        {
            if (side * (t - bound) >= 0)
            {
                if (boundTried) return bound;
                t = bound;
                boundTried = true;
            }
            var near = points.MinBy(p => Math.Abs(p.T - t))!;
            var point = Refit(j, others, t, near, trace, conditional, side);
            if (point is null)
            {
                // The likelihood failed there: step back halfway towards the last point inside.
                t = 0.5 * (t + inside!.T);
                continue;
            }
            points.Add(point);
            if (Math.Abs(point.Zeta - target) < ZetaTolerance) return t;
            if (Math.Abs(point.Zeta) < z)
            {
                if (point.T == bound) return bound;
                if (side * (point.T - inside!.T) > 0) inside = point;
            }
            else if (outside is null || side * (point.T - outside.T) < 0) outside = point;
            if (outside is not null)
            {
                // Bracketed: interpolate zeta linearly between the ends, kept well inside the bracket.
                double w = (target - inside!.Zeta) / (outside.Zeta - inside.Zeta);
                w = Math.Clamp(w, 0.02, 0.98);
                t = inside.T + w * (outside.T - inside.T);
                if (Math.Abs(outside.T - inside.T) < 1e-12 * (1 + Math.Abs(t))) return t;
            }
            else
            {
                // Not yet beyond the end: a secant step through the last two points, at most four times the last step.
                var previous = points[^2];
                double slope = (point.Zeta - previous.Zeta) / (point.T - previous.T);
                double step = point.T - previous.T;
                double next = slope * side > 0 ? point.T + (target - point.Zeta) / slope : point.T + 4 * step;
                if (side * (next - point.T) > 4 * Math.Abs(step)) next = point.T + 4 * step;
                if (side * (next - point.T) <= 0) next = point.T + step;
                t = next;
                if (Math.Abs(t) > limit) return side * double.PositiveInfinity;
            }
        }
        return double.NaN;
    }

    /// <summary>The other coordinates, the quadratic approximation's profile trace and conditional inverse Hessian, and
    /// the profile's point at the optimum.</summary>
    private (int[] Others, double[] Trace, double[,] Conditional, Point Start) Setup(int j)
    {
        int n = optimum.Length;
        var others = Enumerable.Range(0, n).Where(i => i != j).ToArray();
        var trace = others.Select(i => covariance[i, j] / covariance[j, j]).ToArray();
        var conditional = new double[n - 1, n - 1];
        for (int a = 0; a < n - 1; a++)
            for (int b = 0; b < n - 1; b++)
                conditional[a, b] = covariance[others[a], others[b]] - covariance[others[a], j] * covariance[j, others[b]] / covariance[j, j];
        return (others, trace, conditional, new Point(optimum[j], 0, others.Select(i => optimum[i]).ToArray()));
    }

    /// <summary>zeta at u_j = <paramref name="t"/> (one refit from the optimum along the trace), to show where another
    /// profile's end lies on this one.</summary>
    public double Zeta(int j, double t)
    {
        var (others, trace, conditional, start) = Setup(j);
        return Refit(j, others, t, start, trace, conditional, Math.Sign(t - optimum[j]))?.Zeta ?? double.NaN;
    }

    private Point? Refit(int j, int[] others, double t, Point near, double[] trace, double[,] conditional, int side)
    {
        int n = optimum.Length;
        var full = new double[n];
        var gradient = new double[n];
        Bfgs.Objective held = (v, g) =>
        {
            for (int a = 0; a < others.Length; a++) full[others[a]] = v[a];
            full[j] = t;
            double f = objective(full, gradient);
            for (int a = 0; a < others.Length; a++) g[a] = gradient[others[a]];
            return f;
        };
        var v0 = new double[others.Length];
        for (int a = 0; a < others.Length; a++) v0[a] = near.Others[a] + (t - near.T) * trace[a];
        Interlocked.Increment(ref refits);
        OptimizationSummary summary;
        if (others.Length == 0)
        {
            full[j] = t;
            double f0 = objective(full, gradient);
            summary = new OptimizationSummary(v0, f0, [], 0, 1, true, "", [], new double[0, 0]);
        }
        else
        {
            try
            {
                summary = Bfgs.Minimize(held, v0, maxIterations, RefitDecrementTolerance, null, conditional);
            }
            catch (GlmmException)
            {
                Interlocked.Increment(ref evaluations);
                return null;
            }
        }
        Interlocked.Add(ref evaluations, summary.Evaluations);
        if (!double.IsFinite(summary.Minimum)) return null;
        double rise = summary.Minimum - minimum;
        if (rise < 0)
            lock (improvementGate) bestImprovement = Math.Max(bestImprovement, -rise);
        double zeta = Math.Sign(t - optimum[j]) * Math.Sqrt(Math.Max(0, 2 * rise));
        if (t == optimum[j]) zeta = 0;
        return new Point(t, zeta, summary.Minimizer);
    }

    /// <summary>The inverse of a symmetric Hessian, or null where it is not positive definite.</summary>
    public static double[,]? Covariance(double[,] hessian) => Dense.InverseSpd(hessian);

    /// <summary>
    /// The inverse of a Hessian that need not be positive definite (a singular fit: the likelihood flat in a variance at
    /// zero, or in the correlations of an effect without variance): eigenvalues below 1e-8 of the largest are raised to
    /// it. The profiles only start from this curvature (first steps, warm starts, BFGS's first inverse Hessian), so a
    /// flat direction costs steps, not accuracy; <paramref name="regularised"/> says whether any was raised.
    /// </summary>
    public static double[,]? Covariance(double[,] hessian, out bool regularised)
    {
        regularised = false;
        if (Dense.InverseSpd(hessian) is { } inverse) return inverse;
        int n = hessian.GetLength(0);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (!double.IsFinite(hessian[i, j])) return null;
        var (values, vectors) = SymmetricEigen.Decompose(hessian);
        double floor = 1e-8 * Math.Max(values.Max(), 1e-300);
        var result = new double[n, n];
        for (int k = 0; k < n; k++)
        {
            double value = Math.Max(values[k], floor);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) result[i, j] += vectors[i, k] * vectors[j, k] / value;
        }
        regularised = true;
        return result;
    }
}

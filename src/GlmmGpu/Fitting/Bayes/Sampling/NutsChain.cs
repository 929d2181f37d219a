namespace GlmmGpu.Fitting.Bayes.Sampling;

/// <summary>A point the chain needs the log density and its gradient at: the chain fills <see cref="Position"/> and
/// yields; whoever drives it fills <see cref="LogDensity"/> and <see cref="Gradient"/> before resuming it.</summary>
internal sealed class EvaluationRequest(int dimension)
{
    public double[] Position { get; } = new double[dimension];
    public double LogDensity { get; set; }
    public double[] Gradient { get; } = new double[dimension];
}

/// <summary>The sampler's settings: draws after warm-up, warm-up iterations, target acceptance, tree depth, metric.</summary>
public sealed record NutsSettings
{
    public int Warmup { get; init; } = 1000;
    public int Samples { get; init; } = 1000;
    public double TargetAcceptance { get; init; } = 0.8;
    public int MaxTreeDepth { get; init; } = 10;
    public bool DenseMetric { get; init; }
}

/// <summary>What one NUTS transition did, as Stan's sampler diagnostics (<c>accept_stat__</c>, <c>stepsize__</c>,
/// <c>treedepth__</c>, <c>n_leapfrog__</c>, <c>divergent__</c>, <c>energy__</c>, <c>lp__</c>).</summary>
public readonly record struct TransitionStats(double AcceptStat, double StepSize, int TreeDepth, int Leapfrogs, bool Divergent, double Energy, double LogDensity);

/// <summary>
/// One chain of the No-U-Turn sampler as Stan's <c>base_nuts</c> (Betancourt 2017): trees doubled forwards or
/// backwards at random, a multinomial choice among each tree's points weighted by exp(-H), the generalised U-turn
/// criterion checked across each merged tree and between its halves, divergence where H rises by more than 1000,
/// depth at most <see cref="NutsSettings.MaxTreeDepth"/>; warm-up adapts the step size by dual averaging and the
/// metric in Stan's windows. The chain is a coroutine: <see cref="Run"/> yields each position it needs evaluated,
/// so that a driver can evaluate every chain's next position in one pass over the data.
/// </summary>
internal sealed class NutsChain
{
    private const double MaxDeltaH = 1000;
    private readonly int n;
    private readonly NutsSettings settings;
    private readonly ChainRandom rng;
    private readonly EuclideanMetric metric;
    private readonly EvaluationRequest request;
    private readonly double[] scratch;
    private double stepSize = 1;
    // One transition's tallies, as Stan keeps them on the sampler.
    private int leapfrogs;
    private double sumMetropolis;
    private bool divergent;
    // Whether the tree just built (any depth) may be extended: set by BuildTree before it finishes.
    private bool treeValid;

    public NutsChain(int dimension, NutsSettings settings, ChainRandom rng)
    {
        n = dimension;
        this.settings = settings;
        this.rng = rng;
        metric = new EuclideanMetric(n, settings.DenseMetric);
        request = new EvaluationRequest(n);
        scratch = new double[n];
    }

    public EvaluationRequest Request => request;
    /// <summary>The unconstrained draws after warm-up, one array per iteration.</summary>
    public List<double[]> Draws { get; } = new();
    /// <summary>Per iteration after warm-up.</summary>
    public List<TransitionStats> Stats { get; } = new();
    public int WarmupDivergences { get; private set; }
    /// <summary>Iterations done, warm-up included (for progress).</summary>
    public int Iteration { get; private set; }
    public double AdaptedStepSize => stepSize;
    public double[] InverseMetricDiagonal => metric.InverseDiagonal;

    /// <summary>The chain from <paramref name="start"/>, moved by up to <paramref name="jitter"/> per coordinate
    /// (uniformly; halved while the log density there is not finite, down to the start itself).</summary>
    public IEnumerable<EvaluationRequest> Run(double[] start, double[] jitter)
    {
        var z = new PhasePoint(n);
        var offsets = new double[n];
        for (int i = 0; i < n; i++) offsets[i] = (2 * rng.NextDouble() - 1) * jitter[i];
        for (int attempt = 0; ; attempt++)
        {
            double scale = attempt < 8 ? Math.Pow(0.5, attempt) : 0;
            for (int i = 0; i < n; i++) z.Q[i] = start[i] + scale * offsets[i];
            foreach (var r in Evaluate(z)) yield return r;
            if (double.IsFinite(z.LogDensity) && z.Gradient.All(double.IsFinite)) break;
            if (scale == 0) throw new GlmmException("the log posterior is not finite at the maximum-likelihood start; the model cannot be sampled from there");
        }
        foreach (var r in InitialiseStepSize(z)) yield return r;
        var adaptation = new StepSizeAdaptation(settings.TargetAcceptance);
        adaptation.Restart(stepSize);
        var windows = new WarmupWindows(settings.Warmup);
        for (int iteration = 0; iteration < settings.Warmup + settings.Samples; iteration++)
        {
            foreach (var r in Transition(z)) yield return r;
            Iteration = iteration + 1;
            var stats = lastStats;
            if (iteration < settings.Warmup)
            {
                if (stats.Divergent) WarmupDivergences++;
                stepSize = adaptation.Learn(stats.AcceptStat);
                if (windows.InWindow) metric.AddDraw(z.Q);
                if (windows.Advance())
                {
                    metric.UpdateFromWindow();
                    foreach (var r in InitialiseStepSize(z)) yield return r;
                    adaptation.Restart(stepSize);
                }
                if (iteration == settings.Warmup - 1) stepSize = adaptation.Final;
            }
            else
            {
                Draws.Add((double[])z.Q.Clone());
                Stats.Add(stats);
            }
        }
    }

    private TransitionStats lastStats;

    private IEnumerable<EvaluationRequest> Evaluate(PhasePoint z)
    {
        z.Q.CopyTo(request.Position);
        yield return request;
        z.LogDensity = request.LogDensity;
        request.Gradient.CopyTo(z.Gradient);
    }

    private double Hamiltonian(PhasePoint z)
    {
        double h = -z.LogDensity + metric.Kinetic(z.P, scratch);
        return double.IsNaN(h) ? double.PositiveInfinity : h;
    }

    private IEnumerable<EvaluationRequest> Leapfrog(PhasePoint z, double epsilon)
    {
        for (int i = 0; i < n; i++) z.P[i] += 0.5 * epsilon * z.Gradient[i];
        metric.Velocity(z.P, scratch);
        for (int i = 0; i < n; i++) z.Q[i] += epsilon * scratch[i];
        foreach (var r in Evaluate(z)) yield return r;
        for (int i = 0; i < n; i++) z.P[i] += 0.5 * epsilon * z.Gradient[i];
    }

    /// <summary>Stan's heuristic: double or halve the step size until one leapfrog step's acceptance crosses 0.8.</summary>
    private IEnumerable<EvaluationRequest> InitialiseStepSize(PhasePoint z)
    {
        var start = new PhasePoint(n);
        start.CopyFrom(z);
        int direction = 0;
        for (int tries = 0; tries < 100; tries++)
        {
            z.CopyFrom(start);
            metric.SampleMomentum(rng, z.P);
            double h0 = Hamiltonian(z);
            foreach (var r in Leapfrog(z, stepSize)) yield return r;
            double deltaH = h0 - Hamiltonian(z);
            bool accept = deltaH > Math.Log(0.8);
            if (direction == 0) direction = accept ? 1 : -1;
            else if ((direction == 1 && !accept) || (direction == -1 && accept)) break;
            stepSize = direction == 1 ? 2 * stepSize : 0.5 * stepSize;
            if (stepSize > 1e7 || stepSize < 1e-12)
                throw new GlmmException($"the sampler's step size ran to {stepSize:G3} while searching for a start: the posterior is improper or its gradient is wrong");
        }
        z.CopyFrom(start);
    }

    private static double LogSumExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        double m = Math.Max(a, b);
        return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m));
    }

    private static bool Criterion(double[] pSharpMinus, double[] pSharpPlus, double[] rho)
    {
        double a = 0, b = 0;
        for (int i = 0; i < rho.Length; i++)
        {
            a += pSharpPlus[i] * rho[i];
            b += pSharpMinus[i] * rho[i];
        }
        return a > 0 && b > 0;
    }

    private static double[] Sum(double[] a, double[] b)
    {
        var s = new double[a.Length];
        for (int i = 0; i < a.Length; i++) s[i] = a[i] + b[i];
        return s;
    }

    private static void Copy(double[] from, double[] to) => Array.Copy(from, to, from.Length);

    private IEnumerable<EvaluationRequest> Transition(PhasePoint z)
    {
        metric.SampleMomentum(rng, z.P);
        var zFwd = z.Clone();
        var zBck = z.Clone();
        var zSample = z.Clone();
        var zPropose = z.Clone();
        var pSharp = new double[n];
        metric.Velocity(z.P, pSharp);
        double[] pFwdFwd = (double[])z.P.Clone(), pSharpFwdFwd = (double[])pSharp.Clone();
        double[] pFwdBck = (double[])z.P.Clone(), pSharpFwdBck = (double[])pSharp.Clone();
        double[] pBckFwd = (double[])z.P.Clone(), pSharpBckFwd = (double[])pSharp.Clone();
        double[] pBckBck = (double[])z.P.Clone(), pSharpBckBck = (double[])pSharp.Clone();
        var rho = (double[])z.P.Clone();
        double logSumWeight = 0;
        double h0 = Hamiltonian(z);
        leapfrogs = 0;
        sumMetropolis = 0;
        divergent = false;
        int depth = 0;
        while (depth < settings.MaxTreeDepth)
        {
            var rhoFwd = new double[n];
            var rhoBck = new double[n];
            var subtreeWeight = new LogWeight();
            if (rng.NextDouble() > 0.5)
            {
                z.CopyFrom(zFwd);
                Copy(rho, rhoBck);
                Copy(pFwdBck, pBckFwd);
                Copy(pSharpFwdBck, pSharpBckFwd);
                foreach (var r in BuildTree(depth, z, zPropose, pSharpFwdBck, pSharpFwdFwd, rhoFwd, pFwdBck, pFwdFwd, h0, 1, subtreeWeight))
                    yield return r;
                zFwd.CopyFrom(z);
            }
            else
            {
                z.CopyFrom(zBck);
                Copy(rho, rhoFwd);
                Copy(pBckFwd, pFwdBck);
                Copy(pSharpBckFwd, pSharpFwdBck);
                foreach (var r in BuildTree(depth, z, zPropose, pSharpBckFwd, pSharpBckBck, rhoBck, pBckFwd, pBckBck, h0, -1, subtreeWeight))
                    yield return r;
                zBck.CopyFrom(z);
            }
            if (!treeValid) break;
            depth++;
            if (subtreeWeight.Value > logSumWeight) zSample.CopyFrom(zPropose);
            else if (rng.NextDouble() < Math.Exp(subtreeWeight.Value - logSumWeight)) zSample.CopyFrom(zPropose);
            logSumWeight = LogSumExp(logSumWeight, subtreeWeight.Value);
            rho = Sum(rhoBck, rhoFwd);
            bool persist = Criterion(pSharpBckBck, pSharpFwdFwd, rho);
            persist &= Criterion(pSharpBckBck, pSharpFwdBck, Sum(rhoBck, pFwdBck));
            persist &= Criterion(pSharpBckFwd, pSharpFwdFwd, Sum(rhoFwd, pBckFwd));
            if (!persist) break;
        }
        z.CopyFrom(zSample);
        lastStats = new TransitionStats(sumMetropolis / leapfrogs, stepSize, depth, leapfrogs, divergent, Hamiltonian(z), z.LogDensity);
    }

    private sealed class LogWeight
    {
        public double Value = double.NegativeInfinity;
    }

    private IEnumerable<EvaluationRequest> BuildTree(int depth, PhasePoint z, PhasePoint zPropose, double[] pSharpBeg, double[] pSharpEnd,
        double[] rho, double[] pBeg, double[] pEnd, double h0, int sign, LogWeight logSumWeight)
    {
        if (depth == 0)
        {
            foreach (var r in Leapfrog(z, sign * stepSize)) yield return r;
            leapfrogs++;
            double h = Hamiltonian(z);
            if (h - h0 > MaxDeltaH) divergent = true;
            logSumWeight.Value = LogSumExp(logSumWeight.Value, h0 - h);
            sumMetropolis += h0 - h > 0 ? 1 : Math.Exp(h0 - h);
            zPropose.CopyFrom(z);
            metric.Velocity(z.P, pSharpBeg);
            Copy(pSharpBeg, pSharpEnd);
            for (int i = 0; i < n; i++) rho[i] += z.P[i];
            Copy(z.P, pBeg);
            Copy(z.P, pEnd);
            treeValid = !divergent;
            yield break;
        }
        // The first half.
        var initWeight = new LogWeight();
        var pInitEnd = new double[n];
        var pSharpInitEnd = new double[n];
        var rhoInit = new double[n];
        foreach (var r in BuildTree(depth - 1, z, zPropose, pSharpBeg, pSharpInitEnd, rhoInit, pBeg, pInitEnd, h0, sign, initWeight))
            yield return r;
        if (!treeValid) yield break;
        // The second half.
        var zProposeFinal = z.Clone();
        var finalWeight = new LogWeight();
        var pFinalBeg = new double[n];
        var pSharpFinalBeg = new double[n];
        var rhoFinal = new double[n];
        foreach (var r in BuildTree(depth - 1, z, zProposeFinal, pSharpFinalBeg, pSharpEnd, rhoFinal, pFinalBeg, pEnd, h0, sign, finalWeight))
            yield return r;
        if (!treeValid) yield break;
        // Multinomial choice between the halves.
        double subtreeWeight = LogSumExp(initWeight.Value, finalWeight.Value);
        logSumWeight.Value = LogSumExp(logSumWeight.Value, subtreeWeight);
        if (finalWeight.Value > subtreeWeight) zPropose.CopyFrom(zProposeFinal);
        else if (rng.NextDouble() < Math.Exp(finalWeight.Value - subtreeWeight)) zPropose.CopyFrom(zProposeFinal);
        var rhoSubtree = Sum(rhoInit, rhoFinal);
        for (int i = 0; i < n; i++) rho[i] += rhoSubtree[i];
        bool persist = Criterion(pSharpBeg, pSharpEnd, rhoSubtree);
        persist &= Criterion(pSharpBeg, pSharpFinalBeg, Sum(rhoInit, pFinalBeg));
        persist &= Criterion(pSharpInitEnd, pSharpEnd, Sum(rhoFinal, pInitEnd));
        treeValid = persist;
    }
}

/// <summary>A position, its momentum, and the log density and gradient there.</summary>
internal sealed class PhasePoint(int n)
{
    public double[] Q { get; } = new double[n];
    public double[] P { get; } = new double[n];
    public double[] Gradient { get; } = new double[n];
    public double LogDensity { get; set; }

    public void CopyFrom(PhasePoint other)
    {
        Array.Copy(other.Q, Q, Q.Length);
        Array.Copy(other.P, P, P.Length);
        Array.Copy(other.Gradient, Gradient, Gradient.Length);
        LogDensity = other.LogDensity;
    }

    public PhasePoint Clone()
    {
        var c = new PhasePoint(Q.Length);
        c.CopyFrom(this);
        return c;
    }
}

using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Fitting.Crossed;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// The log posterior with several grouping factors, in the sampler's z: glmer's Laplace log-likelihood at psi(z)
/// (<see cref="CrossedLaplaceCriterion"/>) plus the log prior and log-Jacobian (<see cref="SeveralTermsTransform"/>),
/// with the gradient by the chain rule. Each chain has a criterion of its own, so its PIRLS starts from its own
/// previous point's modes and its draws do not depend on the other chains; on small data the chains' points are
/// evaluated in parallel, each on one thread, on larger data one after another, each on all threads (the criterion's
/// results do not depend on its threads).
/// </summary>
internal sealed class SeveralTermsDensity(Func<CrossedLaplaceCriterion> create, SeveralTermsTransform transform, ParallelOptions parallel,
    bool chainsInParallel) : IBatchDensity
{
    private readonly Dictionary<EvaluationRequest, CrossedLaplaceCriterion> criteria = new(ReferenceEqualityComparer.Instance);

    /// <summary>Likelihood evaluations so far (points, not batches).</summary>
    public long Evaluations { get; private set; }

    public void Evaluate(IReadOnlyList<EvaluationRequest> requests)
    {
        var own = new CrossedLaplaceCriterion[requests.Count];
        for (int i = 0; i < own.Length; i++)
        {
            if (!criteria.TryGetValue(requests[i], out var criterion)) criteria[requests[i]] = criterion = create();
            own[i] = criterion;
        }
        if (chainsInParallel) Parallel.For(0, own.Length, parallel, i => EvaluateOne(requests[i], own[i]));
        else
            for (int i = 0; i < own.Length; i++) EvaluateOne(requests[i], own[i]);
        Evaluations += requests.Count;
    }

    private void EvaluateOne(EvaluationRequest r, CrossedLaplaceCriterion criterion)
    {
        var psi = new double[transform.PsiCount];
        transform.ToPsi(r.Position, psi);
        double f = criterion.NegativeLogLikelihood(psi);
        var gradient = new double[psi.Length];
        if (double.IsFinite(f) && !criterion.TryGradientOfLast(gradient)) CentralDifferences(criterion, psi, gradient);
        double lp = transform.LogPrior(r.Position, r.Gradient);
        if (!double.IsFinite(f) || !gradient.All(double.IsFinite))
        {
            r.LogDensity = double.NegativeInfinity;
            Array.Clear(r.Gradient);
            return;
        }
        // The criterion's gradient is of -log L.
        for (int k = 0; k < gradient.Length; k++) gradient[k] = -gradient[k];
        transform.AddPullBack(r.Position, gradient, r.Gradient);
        r.LogDensity = -f + lp;
    }

    /// <summary>Where the closed form does not apply (a term's factor near singular): -log L's gradient by central differences.</summary>
    private static void CentralDifferences(CrossedLaplaceCriterion criterion, double[] psi, double[] gradient)
    {
        var point = (double[])psi.Clone();
        for (int k = 0; k < point.Length; k++)
        {
            double h = 1e-5 * Math.Max(1.0, Math.Abs(psi[k]));
            point[k] = psi[k] + h;
            double up = criterion.NegativeLogLikelihood(point);
            point[k] = psi[k] - h;
            double down = criterion.NegativeLogLikelihood(point);
            point[k] = psi[k];
            gradient[k] = (up - down) / (2 * h);
        }
    }
}

using GlmmGpu.Engines;
using GlmmGpu.Fitting.Bayes.Sampling;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// The log posterior in the sampler's unconstrained parameters: the engine's Laplace/AGQ log-likelihood at psi(z),
/// plus the log prior and log-Jacobian (<see cref="PosteriorTransform"/>), with the gradient by the chain rule. A
/// batch goes to the engine in one <see cref="IMarginalLikelihoodEngine.EvaluateStreams"/> call, each chain a stream:
/// its point's Newton solves start from the modes of its own previous point (so a result depends on its chain's
/// history alone, not on the batching); a single chain uses <see cref="IMarginalLikelihoodEngine.Evaluate"/>, which
/// follows it with its modes.
/// </summary>
internal sealed class PosteriorDensity(IMarginalLikelihoodEngine engine, PosteriorTransform transform, bool evaluateTogether) : IBatchDensity
{
    private readonly int psiCount = engine.Layout.Count;
    private double[] psis = [];
    private double[] gradients = [];
    private double[] logLiks = [];
    private int[] streams = [];
    /// <summary>Each chain's stream id (a chain asks through one request object throughout), numbered as first seen.</summary>
    private readonly Dictionary<EvaluationRequest, int> streamOf = new(ReferenceEqualityComparer.Instance);

    /// <summary>Likelihood evaluations so far (points, not batches).</summary>
    public long Evaluations { get; private set; }

    public void Evaluate(IReadOnlyList<EvaluationRequest> requests)
    {
        int k = requests.Count;
        if (psis.Length < k * psiCount)
        {
            psis = new double[k * psiCount];
            gradients = new double[k * psiCount];
            logLiks = new double[k];
            streams = new int[k];
        }
        for (int i = 0; i < k; i++) transform.ToPsi(requests[i].Position, psis.AsSpan(i * psiCount, psiCount));
        if (evaluateTogether)
        {
            for (int i = 0; i < k; i++)
                if (!streamOf.TryGetValue(requests[i], out streams[i])) streamOf[requests[i]] = streams[i] = streamOf.Count;
            engine.EvaluateStreams(psis.AsSpan(0, k * psiCount), streams.AsSpan(0, k), logLiks.AsSpan(0, k), gradients.AsSpan(0, k * psiCount));
        }
        else
            for (int i = 0; i < k; i++)
                logLiks[i] = engine.Evaluate(psis.AsSpan(i * psiCount, psiCount), gradients.AsSpan(i * psiCount, psiCount));
        Evaluations += k;
        for (int i = 0; i < k; i++)
        {
            var r = requests[i];
            double lp = transform.LogPrior(r.Position, r.Gradient);
            var g = gradients.AsSpan(i * psiCount, psiCount);
            if (!double.IsFinite(logLiks[i]) || !AllFinite(g))
            {
                r.LogDensity = double.NegativeInfinity;
                Array.Clear(r.Gradient);
                continue;
            }
            transform.AddPullBack(r.Position, g, r.Gradient);
            r.LogDensity = logLiks[i] + lp;
        }
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
            if (!double.IsFinite(v)) return false;
        return true;
    }
}

namespace GlmmGpu.Fitting.Bayes.Sampling;

/// <summary>Evaluates a batch of the chains' requests: log density and gradient at each position.</summary>
internal interface IBatchDensity
{
    void Evaluate(IReadOnlyList<EvaluationRequest> requests);
}

/// <summary>
/// Runs several chains (coroutines, <see cref="NutsChain.Run"/>) together: each round resumes every live chain to its
/// next request and evaluates all the requests in one batch, so the data are read once per round for all chains.
/// Chains that finish drop out. A chain's draws depend only on its own random stream and on the density, not on how
/// the requests were batched.
/// </summary>
internal static class ChainDriver
{
    /// <param name="roundDone">Called after each round with the number of requests it evaluated (progress).</param>
    public static void Run(IReadOnlyList<IEnumerable<EvaluationRequest>> chains, IBatchDensity density, Action<int>? roundDone = null)
    {
        var live = chains.Select(c => c.GetEnumerator()).ToList();
        try
        {
            var pending = new List<IEnumerator<EvaluationRequest>>();
            foreach (var chain in live)
                if (chain.MoveNext()) pending.Add(chain);
            var batch = new List<EvaluationRequest>();
            while (pending.Count > 0)
            {
                batch.Clear();
                foreach (var chain in pending) batch.Add(chain.Current);
                density.Evaluate(batch);
                roundDone?.Invoke(batch.Count);
                var next = new List<IEnumerator<EvaluationRequest>>(pending.Count);
                foreach (var chain in pending)
                    if (chain.MoveNext()) next.Add(chain);
                pending = next;
            }
        }
        finally
        {
            foreach (var chain in live) chain.Dispose();
        }
    }
}

using GlmmGpu.Engines;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// Lets several profiles advance together through one engine: each profile end runs on its own thread and asks for
/// log L at its next point; once every end still running has asked, the points go to the engine in one
/// <see cref="IMarginalLikelihoodEngine.EvaluateMany"/> (one pass over the rows for all of them) and each end takes its
/// own answer. Every batch holds exactly one point per running end, and EvaluateMany's answer at a point does not
/// depend on the others in the batch (each Newton solve starts from the modes of the engine's last
/// <see cref="IMarginalLikelihoodEngine.Evaluate"/>, at the optimum), so the profiles do not depend on timing.
/// </summary>
internal sealed class LockstepEvaluations(IMarginalLikelihoodEngine engine)
{
    private sealed class Request(double[] psi, int length)
    {
        public double[] Psi { get; } = psi;
        public double[] Gradient { get; } = new double[length];
        public double LogLik { get; set; }
        public bool Done { get; set; }
    }

    private readonly object gate = new();
    private readonly List<Request> pending = new();
    private int running;

    /// <summary>Passes over the rows made, and the points they evaluated.</summary>
    public int Batches { get; private set; }
    public int Points { get; private set; }

    /// <summary>Counts an end in before it starts (all ends are counted in before any runs).</summary>
    public void Join()
    {
        lock (gate) running++;
    }

    /// <summary>Counts a finished end out; the others' batch goes ahead if it was waiting only for this one.</summary>
    public void Leave()
    {
        lock (gate)
        {
            running--;
            if (pending.Count > 0 && pending.Count == running) Flush();
        }
    }

    /// <summary>log L and its gradient at psi, as <see cref="IMarginalLikelihoodEngine.Evaluate"/>, answered with the other ends' points.</summary>
    public double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        var request = new Request(psi.ToArray(), psi.Length);
        lock (gate)
        {
            pending.Add(request);
            if (pending.Count == running) Flush();
            else
                while (!request.Done) Monitor.Wait(gate);
        }
        request.Gradient.AsSpan(0, gradient.Length).CopyTo(gradient);
        return request.LogLik;
    }

    /// <summary>Evaluates the pending points in one pass (under the lock: every other end is waiting for it).</summary>
    private void Flush()
    {
        int m = pending[0].Psi.Length, k = pending.Count;
        var psis = new double[k * m];
        for (int i = 0; i < k; i++) pending[i].Psi.CopyTo(psis, i * m);
        var logLiks = new double[k];
        var gradients = new double[k * m];
        engine.EvaluateMany(psis, logLiks, gradients);
        for (int i = 0; i < k; i++)
        {
            pending[i].LogLik = logLiks[i];
            gradients.AsSpan(i * m, m).CopyTo(pending[i].Gradient);
            pending[i].Done = true;
        }
        Batches++;
        Points += k;
        pending.Clear();
        Monitor.PulseAll(gate);
    }
}

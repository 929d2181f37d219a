namespace GlmmGpu.Engines;

/// <summary>glmmPQL's convergence sums, sum (eta - eta_old)^2 and sum eta^2, and the largest |eta - eta_old|.</summary>
internal readonly record struct EtaChange(double Change, double Size, double MaxChange)
{
    /// <summary>glmmPQL's test: sum (eta - eta_old)^2 &lt; 1e-6 sum eta^2.</summary>
    public bool Settled => Change < 1e-6 * Size;
}

/// <summary>
/// The passes over the rows that the linear mixed model and PQL make, on some device: the cross-products
/// (<see cref="LmmSufficientStatistics"/>), PQL's working update and its new linear predictor. The rows stay
/// with the engine (on a device: uploaded once, resident across PQL iterations); what comes back is O(clusters),
/// and the profiled-deviance optimisation over theta runs on the host on it.
/// </summary>
internal interface ILinearEngine : IDisposable
{
    /// <summary>The device as results name it: <c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda:NAME</c>.</summary>
    string Device { get; }
    /// <summary>The linear mixed model's cross-products: response y - offset, the prior weights.</summary>
    LmmSufficientStatistics ResponseStatistics();
    /// <summary>Sets PQL's linear predictor (the GLM's, to start).</summary>
    void SetEta(double[] eta);
    /// <summary>PQL's working response (less the offset) and weights at the current eta, and their cross-products.</summary>
    LmmSufficientStatistics WorkingStatistics(double phi);
    /// <summary>eta = offset + X beta + Z b[level of the row]; returns how far eta moved.</summary>
    EtaChange UpdateEta(double[] beta, double[][] modes);

    /// <summary>
    /// As <see cref="UpdateEta(double[], double[][])"/> with the modes flat, q per level (level c's at
    /// <c>c q .. c q + q - 1</c>), as PQL keeps them: no array per level to allocate. An engine that works on flat
    /// modes anyway (a device uploads them so) should implement this itself rather than take the copy below.
    /// </summary>
    EtaChange UpdateEta(double[] beta, double[] modes, int q)
    {
        var jagged = new double[modes.Length / q][];
        for (int c = 0; c < jagged.Length; c++) jagged[c] = modes.AsSpan(c * q, q).ToArray();
        return UpdateEta(beta, jagged);
    }
}

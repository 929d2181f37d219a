namespace GlmmGpu.Fitting.Bayes.Sampling;

/// <summary>
/// Stan's windowed warm-up: a fast initial buffer (75 iterations) where only the step size adapts, slow windows
/// (25, 50, 100, ...; the last stretched to the terminal buffer) at whose ends the metric is re-estimated from the
/// window's draws, and a final buffer (50) for the step size alone. Short warm-ups scale the buffers to 15%, 75% and
/// 10%, as Stan does.
/// </summary>
internal sealed class WarmupWindows
{
    private readonly int warmup;
    private readonly int initBuffer, termBuffer;
    private int windowSize, nextWindowEnd, counter;

    public WarmupWindows(int warmup)
    {
        this.warmup = warmup;
        initBuffer = 75;
        termBuffer = 50;
        int baseWindow = 25;
        if (warmup < 20)
        {
            // Too short for windows: the step size alone adapts.
            initBuffer = warmup;
            termBuffer = 0;
            baseWindow = 0;
        }
        else if (initBuffer + baseWindow + termBuffer > warmup)
        {
            initBuffer = (int)(0.15 * warmup);
            termBuffer = (int)(0.1 * warmup);
            baseWindow = warmup - (initBuffer + termBuffer);
        }
        windowSize = baseWindow;
        nextWindowEnd = initBuffer + windowSize - 1;
    }

    /// <summary>Whether iteration <see cref="counter"/>'s draw goes into the metric's estimate.</summary>
    public bool InWindow => windowSize > 0 && counter >= initBuffer && counter < warmup - termBuffer && counter != warmup;

    /// <summary>Call once per warm-up iteration after <see cref="InWindow"/>'s draw was added: true where a slow window
    /// ends here (re-estimate the metric, restart the step size).</summary>
    public bool Advance()
    {
        bool end = windowSize > 0 && counter == nextWindowEnd && counter != warmup;
        if (end) ComputeNextWindow();
        counter++;
        return end;
    }

    private void ComputeNextWindow()
    {
        if (nextWindowEnd == warmup - termBuffer - 1) return;
        windowSize *= 2;
        nextWindowEnd = counter + windowSize;
        if (nextWindowEnd != warmup - termBuffer - 1)
        {
            int nextBoundary = nextWindowEnd + 2 * windowSize;
            if (nextBoundary >= warmup - termBuffer) nextWindowEnd = warmup - termBuffer - 1;
        }
    }
}

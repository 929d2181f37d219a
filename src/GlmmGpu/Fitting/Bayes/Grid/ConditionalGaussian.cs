namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// At one point of the variance parameters: the fixed effects' conditional posterior as the Gaussian at its mode
/// (<see cref="Mode"/>, and the covariance, the inverse of -d2 log p / d beta2), and the variance parameters' log
/// marginal density there, log p(beta^, v | y) + (p/2) log 2 pi - (1/2) log |H| (the fixed effects integrated out by
/// Laplace's method). Where <see cref="ConditionalSkewness"/> has been applied, each coefficient's mean is moved from
/// the mode by <see cref="Shift"/> and its third cumulant is <see cref="ThirdCumulant"/>; otherwise both are zero.
/// </summary>
internal sealed record ConditionalGaussian(double[] Mode, double[,] Covariance, double LogDensity, bool Converged)
{
    public double[] Shift { get; init; } = new double[Mode.Length];
    public double[] ThirdCumulant { get; init; } = new double[Mode.Length];

    /// <summary>The mean of coefficient i: the mode moved by the skewness correction.</summary>
    public double Mean(int i) => Mode[i] + Shift[i];

    public static ConditionalGaussian Failed(int p) => new(new double[p], new double[p, p], double.NegativeInfinity, false);
}

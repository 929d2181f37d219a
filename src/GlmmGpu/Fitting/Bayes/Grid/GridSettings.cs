namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// The grid's settings (<c>--grid-step</c>, <c>--grid-threshold</c>): the step between points in the variance
/// parameters' standardised coordinates (INLA's dz), and how far below the mode a point's log density may fall and
/// still be kept (INLA's delta_pi).
/// </summary>
public sealed record GridSettings
{
    /// <summary>More variance parameters than this are refused: the grid's size grows as a power of their number.</summary>
    public const int MaxVarianceParameters = 5;

    public double Step { get; init; } = 1.0;
    public double Threshold { get; init; } = 2.5;
}

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// The grid's settings (<c>--grid-step</c>, <c>--grid-threshold</c>): the step between points in the variance
/// parameters' standardised coordinates (INLA's dz), and how far below the mode a point's log density may fall and
/// still be kept (INLA's delta_pi). INLA keeps 2.5 whatever the dimension; in m dimensions a normal has
/// P(chi2_m > 5) of its mass beyond that (17% for m = 3), and heavy-tailed SDs and correlations more, so the default
/// here is half the chi2_m 99.9% quantile (5.4 for one parameter, 8.1 for three); points one step beyond are
/// evaluated and weighted too.
/// </summary>
public sealed record GridSettings
{
    /// <summary>More variance parameters than this are refused: the grid's size grows as a power of their number.</summary>
    public const int MaxVarianceParameters = 5;

    public double Step { get; init; } = 1.0;
    /// <summary>Independent draws to make from the grid's posterior (<see cref="GridDraws"/>); 0 for none.</summary>
    public int Draws { get; init; }
    /// <summary>Null for the default, <see cref="DefaultThreshold"/>.</summary>
    public double? Threshold { get; init; }

    public double ThresholdFor(int varianceParameters) => Threshold ?? DefaultThreshold(varianceParameters);

    /// <summary>Half the 99.9% quantile of chi2 with m degrees of freedom (R's <c>qchisq(0.999, m) / 2</c>).</summary>
    public static double DefaultThreshold(int m) => m switch
    {
        1 => 10.827566 / 2,
        2 => 13.815511 / 2,
        3 => 16.266236 / 2,
        4 => 18.466827 / 2,
        _ => 20.515006 / 2,
    };
}

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>What the grid did (the record of a <c>--sampler grid</c> fit, as <see cref="SamplerRecord"/> is NUTS's).</summary>
public sealed record GridRecord
{
    public required GridSettings Settings { get; init; }
    /// <summary>The variance parameters integrated over: log SDs, the correlations' unconstrained factor, log phi.</summary>
    public required int VarianceParameters { get; init; }
    /// <summary>The threshold used (the setting's, or the default for this many variance parameters).</summary>
    public required double Threshold { get; init; }
    /// <summary>Points within the threshold of the mode.</summary>
    public required int PointsKept { get; init; }
    /// <summary>Points evaluated: the kept ones and their neighbours one step out (all carry weight).</summary>
    public required int PointsEvaluated { get; init; }
    /// <summary>Fine points per lattice cell side in the variance parameters' marginals (<see cref="VarianceMarginals"/>).</summary>
    public required int Refinement { get; init; }
    /// <summary>Newton iterations of the search for the variance parameters' mode.</summary>
    public required int ModeIterations { get; init; }
    /// <summary>The variance parameters' mode, unconstrained (as <see cref="PosteriorTransform"/> lays them out).</summary>
    public required double[] Mode { get; init; }
    /// <summary>Share of the weight on evaluated points beyond the threshold.</summary>
    public required double WeightBeyondThreshold { get; init; }
    /// <summary>Log-posterior evaluations (points, not batches), the mode's search and the grid's together.</summary>
    public required long Evaluations { get; init; }
    public required double Seconds { get; init; }
}

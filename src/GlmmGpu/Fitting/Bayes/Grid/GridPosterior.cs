namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>The grid's summaries laid out as a <see cref="PosteriorResult"/> (the same blocks and keys as NUTS's),
/// with the grid's record in place of the sampler's, and its draws (one set, <see cref="GridDraws"/>) where asked for.</summary>
internal static class GridPosterior
{
    public static PosteriorResult Build(PosteriorSetup setup, PosteriorSummary[] fixef, PosteriorSummary[] variance, GridRecord record, List<string> warnings,
        double[][][] draws)
    {
        var block = setup.Data.Block;
        return new PosteriorResult
        {
            Priors = setup.Priors.Description,
            Fixef = fixef,
            VarCorr = [PosteriorComponent.From(block, setup.Transform.CorrelationCount > 0, variance)],
            Dispersion = setup.Dispersion is null ? null : variance[^1],
            Grid = record,
            Warnings = warnings,
            DrawNames = setup.Names,
            Draws = draws,
            Stats = [],
        };
    }
}

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>The grid's summaries laid out as a <see cref="PosteriorResult"/> (the same blocks and keys as NUTS's),
/// with the grid's record in place of the sampler's, and its draws (one set, <see cref="GridDraws"/>) where asked for.</summary>
internal static class GridPosterior
{
    public static PosteriorResult Build(PosteriorSetup setup, PosteriorSummary[] fixef, PosteriorSummary[] variance, GridRecord record, List<string> warnings,
        double[][][] draws)
    {
        var block = setup.Data.Block;
        var transform = setup.Transform;
        int q = transform.Q;
        var sd = new List<PosteriorSummary>();
        for (int j = 0; j < q; j++) sd.Add(variance[j] with { Name = block.TermNames[j] });
        var corr = new List<CorrelationSummary>();
        int at = q;
        if (transform.CorrelationCount > 0)
            for (int i = 1; i < q; i++)
                for (int j = 0; j < i; j++) corr.Add(new CorrelationSummary(block.TermNames[j], block.TermNames[i], variance[at++]));
        return new PosteriorResult
        {
            Priors = setup.Priors.Description,
            Fixef = fixef,
            Factor = block.GroupingFactor,
            Sd = sd,
            Corr = corr,
            Dispersion = setup.Dispersion is null ? null : variance[^1],
            Grid = record,
            Warnings = warnings,
            DrawNames = setup.Names,
            Draws = draws,
            Stats = [],
        };
    }
}

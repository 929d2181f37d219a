namespace GlmmGpu.Results;

/// <summary>The posterior's draws as CSV, in <see cref="DrawsTable.Posterior"/>'s columns; numbers are written to
/// round-trip (R reads them back to the same doubles).</summary>
public static class PosteriorDrawsCsv
{
    public static void Write(Fitting.Bayes.PosteriorResult posterior, string path) => DrawsTable.WriteCsv(DrawsTable.Posterior(posterior), path);

    public static void Write(Fitting.Bayes.PosteriorResult posterior, TextWriter w) => DrawsTable.WriteCsv(DrawsTable.Posterior(posterior), w);
}

/// <summary>Random-effect draws as long CSV: <c>.chain, .iteration, level, term, value</c>, one row per draw, level and term.</summary>
public static class RandomEffectDrawsCsv
{
    public static void Write(Fitting.Bayes.RandomEffectDrawSet set, string path) => DrawsTable.WriteCsv(DrawsTable.RandomEffects(set), path);
}

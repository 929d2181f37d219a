using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// Summaries of the draws (<see cref="PosteriorSummary"/>) and the sampler's warnings, as Stan gives them: divergent
/// transitions after warm-up, iterations at the maximum tree depth, chains with E-BFMI below 0.3, R-hat above 1.01,
/// bulk or tail ESS below 100 per chain. Divergences and R-hat above 1.01 start with <see cref="FailurePrefix"/>: a fit
/// that shows them is not reported as converged.
/// </summary>
internal static class PosteriorSummaries
{
    public const string FailurePrefix = "The sampler did not converge to a trustworthy posterior: ";

    public static PosteriorResult Build(string[] names, double[][][] draws, TransitionStats[][] stats, SamplerRecord sampler,
        PriorSet priors, RandomEffectsBlock block, PosteriorTransform transform, string? dispersionName) =>
        Build(names, draws, stats, sampler, priors.Description, transform.P, [(block, transform.CorrelationCount > 0)], dispersionName);

    /// <summary>The summaries of quantities laid out as p fixed effects, then each term's SDs and correlations in
    /// <paramref name="terms"/>' order, then the dispersion.</summary>
    public static PosteriorResult Build(string[] names, double[][][] draws, TransitionStats[][] stats, SamplerRecord sampler,
        IReadOnlyList<string> priors, int p, IReadOnlyList<(RandomEffectsBlock Block, bool Correlated)> terms, string? dispersionName)
    {
        var summaries = new PosteriorSummary[names.Length];
        for (int k = 0; k < names.Length; k++)
            summaries[k] = Summarise(names[k], draws.Select(chain => chain.Select(d => d[k]).ToArray()).ToArray());
        var varCorr = new List<PosteriorComponent>();
        int at = p;
        foreach (var (block, correlated) in terms)
        {
            varCorr.Add(PosteriorComponent.From(block, correlated, summaries.AsSpan(at)));
            at += PosteriorComponent.Width(block.Q, correlated);
        }
        return new PosteriorResult
        {
            Priors = priors,
            Fixef = summaries[..p],
            VarCorr = varCorr,
            Dispersion = dispersionName is null ? null : summaries[^1],
            Sampler = sampler,
            Warnings = Warnings(summaries, sampler),
            DrawNames = names,
            Draws = draws,
            Stats = stats,
        };
    }

    public static PosteriorSummary Summarise(string name, double[][] chains)
    {
        var all = chains.SelectMany(c => c).ToArray();
        if (all.Length == 0) return new PosteriorSummary(name, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = (double[])all.Clone();
        Array.Sort(sorted);
        return new PosteriorSummary(name, all.Average(), all.Length > 1 ? ConvergenceDiagnostics.StandardDeviation(all) : double.NaN,
            ConvergenceDiagnostics.QuantileSorted(sorted, 0.025), ConvergenceDiagnostics.QuantileSorted(sorted, 0.5),
            ConvergenceDiagnostics.QuantileSorted(sorted, 0.975), ConvergenceDiagnostics.McseMean(chains),
            ConvergenceDiagnostics.EssBulk(chains), ConvergenceDiagnostics.EssTail(chains), ConvergenceDiagnostics.Rhat(chains));
    }

    private static List<string> Warnings(PosteriorSummary[] summaries, SamplerRecord s)
    {
        var warnings = new List<string>();
        int divergent = s.Divergences.Sum();
        if (divergent > 0)
            warnings.Add(FailurePrefix + $"{divergent} divergent transition{(divergent == 1 ? "" : "s")} after warm-up; raise the target acceptance or reparameterise");
        var highRhat = summaries.Where(x => !(x.Rhat <= 1.01) && !double.IsNaN(x.Rhat)).ToArray();
        if (highRhat.Length > 0)
            warnings.Add(FailurePrefix + $"R-hat above 1.01 for {string.Join(", ", highRhat.Select(x => $"{x.Name} ({x.Rhat:0.000})"))}: the chains have not mixed; run longer");
        int hits = s.MaxTreeDepthHits.Sum();
        if (hits > 0)
            warnings.Add($"{hits} iteration{(hits == 1 ? "" : "s")} reached the maximum tree depth of {s.Settings.MaxTreeDepth}: sampling was slowed, not wrong");
        var lowBfmi = s.Ebfmi.Select((e, c) => (e, c)).Where(t => t.e < 0.3).ToArray();
        if (lowBfmi.Length > 0)
            warnings.Add($"E-BFMI below 0.3 in chain{(lowBfmi.Length == 1 ? "" : "s")} {string.Join(", ", lowBfmi.Select(t => $"{t.c + 1} ({t.e:0.00})"))}: the momenta explore the energy poorly");
        double minimum = 100.0 * s.Chains;
        var lowEss = summaries.Where(x => x.EssBulk < minimum || x.EssTail < minimum).ToArray();
        if (lowEss.Length > 0)
            warnings.Add($"bulk or tail ESS below {minimum:0} for {string.Join(", ", lowEss.Select(x => x.Name))}: posterior means, SDs or quantiles may be unreliable; run longer");
        return warnings;
    }
}

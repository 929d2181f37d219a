using System.Globalization;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Grid;

namespace GlmmGpu.Cli;

/// <summary><c>glmm fit --method bayes</c>'s own options: priors, chains, iterations, warm-up, seed, metric, draws file;
/// the sampler (NUTS or the grid) and the grid's step and threshold.</summary>
public static class BayesArguments
{
    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("prior", "\"T ~ D\"", "with --method bayes: a prior, e.g. \"fixef ~ normal(0, 10)\", \"Intercept ~ student_t(3, 0, 2.5)\",\n" +
            "\"sd(herd) ~ half_normal(0, 1)\", \"corr ~ lkj(2)\", \"dispersion ~ exponential(1)\" (may be repeated;\n" +
            "defaults: normal(0, 10), exponential(1), lkj(1), scaled by sd(y) for gaussian)", Repeatable: true),
        new("chains", "N", "with --method bayes: chains, sampled together (default 4)"),
        new("iter", "N", "with --method bayes: iterations per chain, warm-up included (default 2000)"),
        new("warmup", "N", "with --method bayes: warm-up iterations per chain (default iter/2)"),
        new("metric", "M", "with --method bayes: diag (default) or dense"),
        new("adapt-delta", "D", "with --method bayes: the step size's target acceptance (default 0.8)"),
        new("draws", "OUT.csv", "with --method bayes: write the draws after warm-up to this CSV file"),
        new("ranef-draws", "OUT.csv", "with --method bayes: draw the random effects at --ranef-draw-count posterior\ndraws (from each cluster's Laplace normal) and write them to this CSV file"),
        new("ranef-draw-count", "N", "with --ranef-draws: how many posterior draws, evenly spaced (default 100)"),
        new("sampler", "S", "with --method bayes: nuts (default: draws) or grid (deterministic: the variance\nparameters integrated over a grid, INLA-style; at most 5 of them)"),
        new("grid-step", "DZ", "with --sampler grid: the step between points in standardised units (default 1)"),
        new("grid-draws", "N", "with --sampler grid and --draws: independent draws from the grid's posterior (default\n4000; --seed fixes them)"),
        new("grid-threshold", "D", "with --sampler grid: keep points whose log density is within D of the mode's (default\nqchisq(0.999, m) / 2 for m variance parameters: 5.4 for one, 8.1 for three; INLA's is 2.5)"),
    };

    /// <summary>Options that only NUTS uses: refused with --sampler grid rather than ignored.</summary>
    private static readonly string[] NutsOnly = ["chains", "iter", "warmup", "metric", "adapt-delta", "ranef-draws", "ranef-draw-count"];

    private static readonly string[] Names = Options.Select(o => o.Name).ToArray();

    /// <summary>The Bayesian settings, null unless <paramref name="method"/> is bayes; an error names an option given
    /// without --method bayes, or a bad value.</summary>
    public static BayesOptions? Parse(ParsedArguments a, FitMethod method)
    {
        if (method != FitMethod.Bayes)
        {
            var stray = Names.FirstOrDefault(a.Has);
            if (stray is not null) throw new UsageException($"option --{stray} applies only to --method bayes");
            return null;
        }
        var algorithm = a.Value("sampler") switch
        {
            null or "nuts" => BayesAlgorithm.Nuts,
            "grid" => BayesAlgorithm.Grid,
            var other => throw new UsageException($"option --sampler takes nuts or grid, not '{other}'"),
        };
        if (algorithm == BayesAlgorithm.Grid)
        {
            var nutsOption = NutsOnly.FirstOrDefault(a.Has);
            if (nutsOption is not null)
                throw new UsageException($"option --{nutsOption} applies only to --sampler nuts");
            if (a.Has("grid-draws") && !a.Has("draws")) throw new UsageException("option --grid-draws goes with --draws FILE");
        }
        else if (new[] { "grid-step", "grid-threshold", "grid-draws" }.FirstOrDefault(a.Has) is { } gridOption)
            throw new UsageException($"option --{gridOption} applies only to --sampler grid");
        var grid = new GridSettings
        {
            Step = a.Value("grid-step") is { } gs ? Positive("grid-step", gs, 3) : 1.0,
            Draws = algorithm != BayesAlgorithm.Grid || !a.Has("draws") ? 0 : a.Value("grid-draws") is { } gd ? FitCommand.Integer("grid-draws", gd, 1, 10_000_000, "draws") : 4000,
            Threshold = a.Value("grid-threshold") is { } gt ? Positive("grid-threshold", gt, 20) : null,
        };
        var priors = new List<PriorStatement>();
        foreach (var text in a.Values("prior"))
        {
            try
            {
                priors.Add(PriorParser.Parse(text));
            }
            catch (GlmmException e)
            {
                throw new UsageException(e.Message);
            }
        }
        int iter = a.Value("iter") is { } it ? FitCommand.Integer("iter", it, 2, 10_000_000, "iterations") : 2000;
        int? warmup = a.Value("warmup") is { } w ? FitCommand.Integer("warmup", w, 0, iter - 1, "warm-up iterations") : null;
        double delta = 0.8;
        if (a.Value("adapt-delta") is { } ad && (!double.TryParse(ad, NumberStyles.Float, CultureInfo.InvariantCulture, out delta) || !(delta > 0 && delta < 1)))
            throw new UsageException($"option --adapt-delta needs a number between 0 and 1 (exclusive), not '{ad}'");
        long seed = 1;
        if (a.Value("seed") is { } s && !long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"option --seed needs a whole number, not '{s}'");
        bool dense = a.Value("metric") switch
        {
            null or "diag" or "diagonal" => false,
            "dense" => true,
            var other => throw new UsageException($"option --metric takes diag or dense, not '{other}'"),
        };
        return new BayesOptions
        {
            Algorithm = algorithm,
            Grid = grid,
            Priors = priors,
            Chains = a.Value("chains") is { } c ? FitCommand.Integer("chains", c, 1, 256, "chains") : 4,
            Iterations = iter,
            Warmup = warmup,
            Seed = seed,
            DenseMetric = dense,
            TargetAcceptance = delta,
            RandomEffectDrawCount = a.Has("ranef-draws")
                ? a.Value("ranef-draw-count") is { } n ? FitCommand.Integer("ranef-draw-count", n, 1, 1_000_000, "draws") : 100
                : a.Has("ranef-draw-count") ? throw new UsageException("option --ranef-draw-count goes with --ranef-draws FILE") : 0,
        };
    }

    private static double Positive(string option, string text, double maximum)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0 && value <= maximum))
            throw new UsageException($"option --{option} needs a number above 0 and at most {maximum.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        return value;
    }
}

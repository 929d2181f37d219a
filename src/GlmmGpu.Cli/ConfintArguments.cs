using System.Globalization;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Inference;

namespace GlmmGpu.Cli;

/// <summary><c>glmm fit</c>'s interval options: <c>--confint wald|profile|boot [--level 0.95] [--nsim N] [--seed S]</c>.</summary>
public static class ConfintArguments
{
    public static readonly IReadOnlyList<OptionSpec> Options = new OptionSpec[]
    {
        new("confint", "M", "confidence intervals after the fit, printed under the summary and written to the\n" +
            "JSON: wald, profile (lme4's profile likelihood) or boot (parametric bootstrap,\npercentile intervals); PQL fits take wald only"),
        new("level", "L", "the intervals' coverage, between 0 and 1 (default 0.95)"),
        new("nsim", "N", "bootstrap replicates (default 1000)"),
        new("seed", "S", "the seed of --confint boot's replicates and of --method bayes's chains (default 1):\nthe same seed gives the same results whatever the threads"),
    };

    /// <summary>The interval settings, or null without <c>--confint</c>; a <see cref="UsageException"/> names the option at fault.</summary>
    public static IntervalOptions? Parse(ParsedArguments a, FitMethod method)
    {
        if (a.Value("confint") is not { } text)
        {
            // --seed also seeds a Bayesian fit's chains.
            foreach (var option in method == FitMethod.Bayes ? new[] { "level", "nsim" } : new[] { "level", "nsim", "seed" })
                if (a.Has(option)) throw new UsageException($"option --{option} goes with --confint");
            return null;
        }
        if (!IntervalMethodNames.TryParse(text, out var intervalMethod))
            throw new UsageException($"option --confint takes wald, profile or boot, not '{text}'");
        if (intervalMethod != IntervalMethod.Bootstrap)
            foreach (var option in method == FitMethod.Bayes ? new[] { "nsim" } : new[] { "nsim", "seed" })
                if (a.Has(option)) throw new UsageException($"option --{option} goes with --confint boot");
        double level = 0.95;
        if (a.Value("level") is { } l && !double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out level))
            throw new UsageException($"option --level needs a number between 0 and 1 (e.g. 0.95), not '{l}'");
        var options = new IntervalOptions
        {
            Method = intervalMethod,
            Level = level,
            Replicates = a.Value("nsim") is { } n ? FitCommand.Integer("nsim", n, 1, 10_000_000, "bootstrap replicates") : 1000,
            Seed = a.Value("seed") is { } s ? FitCommand.Integer("seed", s, int.MinValue, int.MaxValue, "a seed (an integer)") : 1,
        };
        try
        {
            options.Check(method);
        }
        catch (GlmmException e)
        {
            throw new UsageException(e.Message);
        }
        return options;
    }
}

namespace GlmmGpu.Fitting.Inference;

/// <summary>How confidence intervals are formed, as lme4's <c>confint(method = ...)</c>.</summary>
public enum IntervalMethod
{
    /// <summary>Fixed effects from their standard errors; variance parameters not available (lme4's "Wald").</summary>
    Wald,
    /// <summary>Profile likelihood: each parameter held on a grid while the others are refitted (lme4's "profile").</summary>
    Profile,
    /// <summary>Parametric bootstrap, percentile intervals (lme4's <c>bootMer</c>, type "parametric").</summary>
    Bootstrap,
}

/// <summary>The names <c>--confint</c> and the JSON use for <see cref="IntervalMethod"/>.</summary>
public static class IntervalMethodNames
{
    public static string Name(IntervalMethod method) => method switch
    {
        IntervalMethod.Wald => "wald",
        IntervalMethod.Profile => "profile",
        _ => "boot",
    };

    public static bool TryParse(string text, out IntervalMethod method)
    {
        foreach (var m in Enum.GetValues<IntervalMethod>())
            if (string.Equals(text.Trim(), Name(m), StringComparison.OrdinalIgnoreCase))
            {
                method = m;
                return true;
            }
        method = IntervalMethod.Wald;
        return false;
    }
}

/// <summary>
/// What intervals to form after a fit: the method, the coverage, and for the bootstrap the number of replicates and
/// the seed from which every replicate's random stream follows (so the intervals do not depend on threads or device).
/// </summary>
public sealed record IntervalOptions
{
    public IntervalMethod Method { get; init; } = IntervalMethod.Wald;
    /// <summary>Coverage, strictly between 0 and 1.</summary>
    public double Level { get; init; } = 0.95;
    /// <summary>Bootstrap replicates.</summary>
    public int Replicates { get; init; } = 1000;
    /// <summary>Bootstrap seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A <see cref="GlmmException"/> naming the option when a setting is out of range, or when the fit's method
    /// has no such interval (PQL has no likelihood: Wald only).</summary>
    public void Check(FitMethod fitMethod)
    {
        if (!(Level > 0 && Level < 1))
            throw new GlmmException($"option --level must lie strictly between 0 and 1 (e.g. 0.95), not {Level}");
        if (Replicates < 1)
            throw new GlmmException($"option --nsim must be at least 1, not {Replicates}");
        if (fitMethod == FitMethod.Pql && Method != IntervalMethod.Wald)
            throw new GlmmException($"option --confint {IntervalMethodNames.Name(Method)}: PQL fits have Wald intervals only " +
                "(PQL maximises no likelihood, so there is none to profile, and lme4 offers no bootstrap of glmmPQL); " +
                "use --confint wald, or fit by --method laplace or agq");
    }
}

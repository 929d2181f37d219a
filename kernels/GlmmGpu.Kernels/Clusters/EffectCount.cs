namespace GlmmGpu.Kernels.Clusters;

/// <summary>
/// The number of random effects per cluster as a type, so that a kernel compiled for it sees q as a constant: the
/// small matrix code's branches and loops on q fold away, which made the thread kernel's PTX three times smaller
/// for a random intercept. The host loads the kernel for the model's q, and the CPU path instantiates the integrator for it.
/// </summary>
public interface IEffectCount
{
    int Q { get; }
}

public struct OneEffect : IEffectCount
{
    public readonly int Q => 1;
}

public struct TwoEffects : IEffectCount
{
    public readonly int Q => 2;
}

public struct ThreeEffects : IEffectCount
{
    public readonly int Q => 3;
}

/// <summary>The <see cref="IEffectCount"/> type of q random effects, for the host to instantiate a kernel with.</summary>
public static class EffectCounts
{
    public static Type Of(int q) => q switch
    {
        1 => typeof(OneEffect),
        2 => typeof(TwoEffects),
        3 => typeof(ThreeEffects),
        _ => throw new ArgumentOutOfRangeException(nameof(q), q, "1 to 3 random effects per grouping factor"),
    };
}

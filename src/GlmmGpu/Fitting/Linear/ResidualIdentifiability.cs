using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Linear;

/// <summary>
/// lmer's checks before a linear mixed model (lmerControl's check.nobs.vs.nlev and check.nobs.vs.nRE, both errors):
/// with as many levels as observations, or as many random effects, nothing in the data tells the residual variance
/// from the grouping factor's, and the optimizer stops wherever it started. glmer allows a level per observation when
/// the scale is known (an observation-level random effect is how a Poisson or binomial model takes overdispersion),
/// so the rule applies where a residual scale is estimated: ML, REML, and PQL with its scale estimated.
/// </summary>
internal static class ResidualIdentifiability
{
    /// <param name="frame">The model frame.</param>
    /// <param name="block">Its random-effects block.</param>
    /// <param name="remedy">What the user can do instead, ending the message.</param>
    public static void Check(ModelFrame frame, RandomEffectsBlock block, string remedy)
    {
        int n = frame.RowCount;
        string factor = block.GroupingFactor;
        if (block.LevelCount >= n)
            throw new GlmmException(
                $"grouping factor '{factor}' has {block.LevelCount} levels for {n} observations: with a residual scale to estimate, " +
                $"a grouping factor needs fewer levels than observations (lmer's rule), else the residual and '{factor}' variances " +
                $"cannot be told apart; {remedy}");
        long effects = (long)block.LevelCount * block.Q;
        if (effects >= n)
            throw new GlmmException(
                $"the random term {block.Term} has {effects} random effects ({block.LevelCount} levels of '{factor}' times {block.Q}) " +
                $"for {n} observations: with a residual scale to estimate, there must be fewer random effects than observations " +
                $"(lmer's rule), else the variances cannot be told apart; {remedy}");
    }

    /// <summary>The remedy for ML and REML fits.</summary>
    public const string LinearModelRemedy = "drop the random term, or give fewer effects per group";

    /// <summary>The remedy for PQL with its scale estimated.</summary>
    public const string PqlRemedy = "use --pql-scale fixed (the scale held at 1, as for Poisson and binomial data), or --method laplace or agq";
}

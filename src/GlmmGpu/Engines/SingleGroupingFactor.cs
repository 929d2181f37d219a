using GlmmGpu.Model;

namespace GlmmGpu.Engines;

/// <summary>What the engines integrate over: one grouping factor's random-effects block, with at most three effects.</summary>
public static class SingleGroupingFactor
{
    /// <summary>The frame's one random-effects block; an error for more than one grouping factor or more than three effects.</summary>
    public static RandomEffectsBlock Block(ModelFrame frame)
    {
        if (frame.RandomEffects.Length != 1)
            throw new GlmmException($"the estimators handle one grouping factor for now; the formula has {frame.RandomEffects.Length} random-effects terms ({string.Join(" + ", frame.RandomEffects.Select(r => r.Term.ToString()))})");
        var block = frame.RandomEffects[0];
        if (block.Q > 3)
            throw new GlmmException($"the random-effects term {block.Term} has {block.Q} effects; at most 3 per grouping factor are supported");
        return block;
    }
}

using GlmmGpu.Model;
using GlmmGpu.Results;

using GlmmGpu.Fitting;

namespace GlmmGpu.Prediction;

/// <summary>
/// eta = offset + X beta + Z b on a prediction frame. Coefficients find their design columns by name (a column
/// the fit dropped as aliased has no coefficient and no effect, as in R). Random effects come from the fit's
/// conditional modes by level name; a level the fit did not see gets b = 0, lme4's <c>allow.new.levels</c>.
/// </summary>
internal static class LinearPredictor
{
    /// <summary>The linear predictor of every frame row, and how many rows were in levels new to the fit.</summary>
    public static (double[] Eta, int NewLevelRows) Compute(ModelFrame frame, SavedFit fit)
    {
        var eta = (double[])frame.Offset.Clone();
        AddFixed(frame, fit, eta);
        int newLevelRows = frame.RandomEffects.Length == 0 ? 0 : AddRandom(frame, fit, eta);
        return (eta, newLevelRows);
    }

    private static void AddFixed(ModelFrame frame, SavedFit fit, double[] eta)
    {
        int n = frame.RowCount;
        foreach (var (name, estimate) in fit.FixedEffects)
        {
            int column = Array.IndexOf(frame.FixedNames, name);
            if (column < 0)
                throw new GlmmException(
                    $"the fit's coefficient '{name}' has no column in the design of the new data, which has {string.Join(", ", frame.FixedNames)}");
            for (int i = 0; i < n; i++) eta[i] += frame.X[(long)column * n + i] * estimate;
        }
    }

    private static int AddRandom(ModelFrame frame, SavedFit fit, double[] eta)
    {
        var blocks = frame.RandomEffects;
        var keys = FitResultJson.UniqueNames(blocks.Select(b => b.GroupingFactor));
        if (fit.RandomEffects.Count != blocks.Length)
            throw new GlmmException($"the fit has conditional modes for {fit.RandomEffects.Count} random terms, but its formula has {blocks.Length}");
        int n = frame.RowCount;
        var isNew = new bool[n];
        for (int k = 0; k < blocks.Length; k++)
        {
            var block = blocks[k];
            // By name: a fit with several grouping factors saves them in lme4's order (most levels first), not the formula's.
            var saved = fit.RandomEffects.FirstOrDefault(r => r.Factor == keys[k])
                ?? throw new GlmmException($"the fit has no random effects for '{keys[k]}', which the formula's term {k + 1} groups by (it has {string.Join(", ", fit.RandomEffects.Select(r => $"'{r.Factor}'"))})");
            // Look each level up once, not once per row.
            var modes = block.Levels.Select(level => saved.ModesByLevel.TryGetValue(level, out var b) ? b : null).ToArray();
            foreach (var b in modes)
                if (b is not null && b.Length != block.Q)
                    throw new GlmmException($"the fit has {b.Length} random effects per level of '{saved.Factor}', but the term {block.Term} has {block.Q}");
            for (int i = 0; i < n; i++)
            {
                var b = modes[block.LevelOfRow[i]];
                if (b is null)
                {
                    isNew[i] = true;
                    continue;
                }
                for (int d = 0; d < block.Q; d++) eta[i] += block.Z[(long)d * n + i] * b[d];
            }
        }
        return isNew.Count(x => x);
    }
}

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// Lays the grid in the standardised coordinates (<see cref="StandardisedAxes"/>): from the mode outwards, every
/// lattice neighbour (all 3^m - 1 of them, diagonals included) of a kept point is evaluated, and kept while its log
/// density lies within the threshold of the mode's (INLA's grid strategy with delta_pi). The walk ends when a ring
/// keeps no point, so the points evaluated are the kept region and one step beyond it all round: every lattice cell
/// that touches a kept point has all its corners evaluated (what <see cref="VarianceMarginals"/> interpolates in).
/// Each ring is one call of <see cref="ConditionalFixedEffects.Solve"/>, each point starting from the fixed effects'
/// mode at the kept point it was reached from; the kept points' conditionals are then corrected for skewness. The
/// order of points is fixed, so a result does not depend on timing.
/// </summary>
internal static class GridExploration
{
    /// <summary>Points evaluated at most, before the grid is refused as too large.</summary>
    public const int MaxPoints = 20_000;

    public static List<GridPoint> Explore(ConditionalFixedEffects inner, StandardisedAxes axes, ConditionalGaussian atMode, GridSettings settings,
        Action<int>? progress = null)
    {
        int m = axes.Dimension;
        double threshold = settings.ThresholdFor(m);
        var origin = new GridPoint(new int[m], new double[m], (double[])axes.Mode.Clone(), atMode, Kept: true);
        var points = new List<GridPoint> { origin };
        var seen = new HashSet<string> { Key(origin.Index) };
        double top = atMode.LogDensity;
        var kept = new List<GridPoint> { origin };
        var offsets = Offsets(m);
        while (kept.Count > 0)
        {
            var ring = new List<(int[] Index, GridPoint Parent)>();
            foreach (var parent in kept)
                foreach (var offset in offsets)
                {
                    var index = new int[m];
                    for (int i = 0; i < m; i++) index[i] = parent.Index[i] + offset[i];
                    if (seen.Add(Key(index))) ring.Add((index, parent));
                }
            if (points.Count + ring.Count > MaxPoints)
                throw new GlmmException($"the grid over {m} variance parameters would need more than {MaxPoints} points; " +
                    "use a larger --grid-step, a lower --grid-threshold, or --sampler nuts");
            var z = ring.Select(r => r.Index.Select(i => i * settings.Step).ToArray()).ToList();
            var variances = z.Select(x => axes.ToVariance(x)).ToList();
            var solved = inner.Solve(variances, ring.Select(r => r.Parent.Conditional.Mode).ToList());
            var keep = solved.Select(s => double.IsFinite(s.LogDensity) && top - s.LogDensity <= threshold).ToArray();
            // Only the kept points are corrected for skewness: the ring beyond carries a fraction of a percent of the weight.
            var keptIndices = Enumerable.Range(0, ring.Count).Where(k => keep[k]).ToArray();
            var corrected = inner.WithSkewness(keptIndices.Select(k => variances[k]).ToList(), keptIndices.Select(k => solved[k]).ToArray());
            for (int j = 0; j < keptIndices.Length; j++) solved[keptIndices[j]] = corrected[j];
            kept = [];
            for (int k = 0; k < ring.Count; k++)
            {
                var point = new GridPoint(ring[k].Index, z[k], variances[k], solved[k], keep[k]);
                points.Add(point);
                if (keep[k]) kept.Add(point);
            }
            progress?.Invoke(points.Count);
        }
        return points;
    }

    /// <summary>The 3^m - 1 offsets in {-1, 0, 1}^m other than zero, in a fixed order.</summary>
    private static List<int[]> Offsets(int m)
    {
        var list = new List<int[]>();
        int total = (int)Math.Pow(3, m);
        for (int code = 0; code < total; code++)
        {
            var offset = new int[m];
            int c = code;
            bool zero = true;
            for (int i = 0; i < m; i++)
            {
                offset[i] = c % 3 - 1;
                c /= 3;
                zero &= offset[i] == 0;
            }
            if (!zero) list.Add(offset);
        }
        return list;
    }

    public static string Key(int[] index) => string.Join(',', index);
}

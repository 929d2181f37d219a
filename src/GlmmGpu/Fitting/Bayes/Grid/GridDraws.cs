using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// Draws from the grid's posterior, for users who want them (<c>--draws</c> with <c>--sampler grid</c>): a point of
/// the fine lattice (<see cref="VarianceMarginals.FineLattice"/>) chosen by its weight, moved uniformly within its fine
/// cell, gives the variance parameters; the fixed effects come from the conditional at the grid point nearest in the
/// standardised coordinates: a normal draw with its covariance, each coordinate then carried through the normal's
/// CDF onto its skew normal's quantile (<see cref="SkewNormal"/>), so that each coefficient's draws follow the
/// mixture the summaries describe. Independent draws from one stream of the seed: the same seed, the same draws.
/// </summary>
internal static class GridDraws
{
    /// <summary>draws[k][quantity] in <see cref="PosteriorTransform.Constrained"/>'s order.</summary>
    public static double[][] Draw(IReadOnlyList<GridPoint> points, StandardisedAxes axes, double step, double top, PosteriorTransform transform,
        int count, long seed)
    {
        var (zs, _, weights) = VarianceMarginals.FineLattice(points, axes, step, top);
        int m = axes.Dimension, p = transform.P, refinement = VarianceMarginals.Refinement(m);
        var cumulative = new double[weights.Count];
        double total = 0;
        for (int j = 0; j < weights.Count; j++) cumulative[j] = total += weights[j];
        var byIndex = points.ToDictionary(x => GridExploration.Key(x.Index));
        var factors = new Dictionary<string, double[,]>();
        var rng = new ChainRandom(seed, 0);
        var draws = new double[count][];
        var z = new double[m];
        var full = new double[transform.Dimension];
        var normal = new double[p];
        for (int k = 0; k < count; k++)
        {
            int j = Array.BinarySearch(cumulative, rng.NextDouble() * total);
            if (j < 0) j = Math.Min(~j, cumulative.Length - 1);
            var nearest = new int[m];
            for (int i = 0; i < m; i++)
            {
                z[i] = zs[j][i] + rng.NextDouble() * step / refinement;
                nearest[i] = (int)Math.Round(z[i] / step, MidpointRounding.AwayFromZero);
            }
            string key = GridExploration.Key(nearest);
            // Every fine point lies in a cell whose corners were all evaluated, and the nearest lattice point is one.
            var conditional = byIndex[key].Conditional;
            if (!factors.TryGetValue(key, out var factor))
                factors[key] = factor = Dense.Cholesky(conditional.Covariance) ?? throw new InvalidOperationException("a grid point's covariance is not positive definite");
            for (int i = 0; i < p; i++) normal[i] = rng.Normal();
            for (int i = 0; i < p; i++)
            {
                double standardised = 0;
                for (int c = 0; c <= i; c++) standardised += factor[i, c] * normal[c];
                double variance = conditional.Covariance[i, i];
                standardised /= Math.Sqrt(variance);
                var skew = SkewNormal.FromCumulants(conditional.Mean(i), variance, conditional.ThirdCumulant[i]);
                full[i] = skew.Shape == 0 ? conditional.Mean(i) + Math.Sqrt(variance) * standardised
                    : skew.Quantile(SpecialFunctions.NormalCdf(standardised));
            }
            axes.ToVariance(z).CopyTo(full, p);
            draws[k] = new double[transform.Dimension];
            transform.Constrained(full, draws[k]);
        }
        return draws;
    }
}

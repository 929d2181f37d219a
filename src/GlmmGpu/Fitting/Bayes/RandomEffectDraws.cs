using GlmmGpu.Engines;
using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>Draws of one grouping factor's random effects b, one set per chosen posterior draw: values[k][cluster * q + term].</summary>
public sealed record RandomEffectDrawSet(string Factor, string[] Levels, string[] Terms, int[] Chain, int[] Iteration, double[][] Values);

/// <summary>
/// Random effects drawn conditional on posterior draws: at each chosen draw the engine finds every cluster's
/// conditional mode u^ and the inverse curvature there (the Laplace normal of u given the data and the parameters),
/// and b = Lambda (u^ + C e), C C' that covariance, e standard normal. The Laplace normal is the conditional density's
/// approximation, close where Laplace's marginal is.
/// </summary>
internal static class RandomEffectDraws
{
    /// <param name="count">How many posterior draws, evenly spaced over the chains' draws in order.</param>
    public static RandomEffectDrawSet Draw(IMarginalLikelihoodEngine engine, MarginalLikelihoodData data, PosteriorTransform transform,
        IReadOnlyList<List<double[]>> chainDraws, int count, long seed)
    {
        var layout = data.Layout;
        int q = data.Q, clusters = data.ClusterCount;
        var all = chainDraws.SelectMany((draws, c) => draws.Select((z, i) => (Chain: c, Iteration: i, Z: z))).ToList();
        count = Math.Min(count, all.Count);
        var rng = new ChainRandom(seed, -1);
        var psi = new double[layout.Count];
        var chain = new int[count];
        var iteration = new int[count];
        var values = new double[count][];
        for (int k = 0; k < count; k++)
        {
            var chosen = all[(int)((long)k * all.Count / count)];
            chain[k] = chosen.Chain;
            iteration[k] = chosen.Iteration;
            transform.ToPsi(chosen.Z, psi);
            engine.Evaluate(psi, Span<double>.Empty);
            var lambda = layout.Lambda(psi);
            var output = engine.Clusters;
            values[k] = new double[clusters * q];
            for (int g = 0; g < clusters; g++)
            {
                var u = output[g].Mode;
                if (SmallLinearAlgebra.Cholesky(output[g].ModeCovariance, q, out var factor))
                {
                    var e = default(Vec3);
                    for (int d = 0; d < q; d++) e[d] = rng.Normal();
                    for (int d = 0; d < q; d++)
                        for (int m = 0; m <= d; m++) u[d] += factor[d, m] * e[m];
                }
                var b = SmallLinearAlgebra.Multiply(lambda, q, u);
                for (int d = 0; d < q; d++) values[k][g * q + d] = b[d];
            }
        }
        return new RandomEffectDrawSet(data.Block.GroupingFactor, data.Block.Levels, data.Block.TermNames, chain, iteration, values);
    }
}

using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;

namespace GlmmGpu.Simulation;

/// <summary>
/// Draws a new response from a fitted model on its own frame (lme4's <c>simulate</c>, which <c>bootMer</c> refits):
/// random effects b = Lambda z per level (z standard normal, level by level), eta = offset + X beta + Z b, then the
/// response from the family at the mean: binomial successes out of the frame's trials, Poisson and negative binomial
/// counts, Gaussian with SD sigma / sqrt(weight), Gamma with shape phi times the weight, inverse Gaussian. One random
/// stream per call, drawn in a fixed order, so a replicate depends only on its stream's seed.
/// </summary>
public static class ResponseSimulator
{
    /// <param name="lambda">The random effects' factor on the linear predictor's scale (Var b = Lambda Lambda').</param>
    /// <param name="phi">The family's dispersion as the likelihood takes it (Gaussian: sigma; Gamma: the shape; negative binomial: the size).</param>
    public static double[] Draw(ModelFrame frame, ReadOnlySpan<double> beta, in Mat3 lambda, double phi, Random rng) =>
        Draw(frame, beta, [(frame.RandomEffects[0], lambda)], phi, rng);

    /// <summary>As above with several random-effects terms, each with its own factor; the terms' effects are drawn in
    /// the order given, each term's level by level.</summary>
    public static double[] Draw(ModelFrame frame, ReadOnlySpan<double> beta, IReadOnlyList<(RandomEffectsBlock Block, Mat3 Lambda)> terms, double phi, Random rng)
    {
        int n = frame.RowCount;
        var effects = terms.Select(t => LevelEffects(t.Block, t.Lambda, rng)).ToArray();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = frame.Offset[i];
            for (int k = 0; k < frame.P; k++) eta += frame.XAt(i, k) * beta[k];
            for (int t = 0; t < terms.Count; t++)
            {
                var block = terms[t].Block;
                int level = block.LevelOfRow[i], q = block.Q;
                for (int d = 0; d < q; d++) eta += block.Z[(long)d * n + i] * effects[t][level * q + d];
            }
            double mu = RowLikelihoodDispatch.Mean(frame.Family, frame.Link, eta);
            double w = frame.Weights[i];
            y[i] = frame.Family switch
            {
                FamilyKind.Binomial => RandomDraws.Binomial((int)Math.Round(w), mu, rng),
                FamilyKind.Poisson => RandomDraws.Poisson(mu, rng),
                FamilyKind.Gaussian => mu + phi / Math.Sqrt(w) * RandomDraws.Normal(rng),
                FamilyKind.Gamma => mu * RandomDraws.Gamma(phi * w, rng) / (phi * w),
                FamilyKind.NegativeBinomial => RandomDraws.NegativeBinomial(mu, phi, rng),
                _ => RandomDraws.InverseGaussian(mu, phi / w, rng),
            };
        }
        return y;
    }

    /// <summary>b = Lambda z for each level of <paramref name="block"/>, z standard normal, level by level.</summary>
    private static double[] LevelEffects(RandomEffectsBlock block, in Mat3 lambda, Random rng)
    {
        int q = block.Q;
        var b = new double[block.LevelCount * q];
        var z = new double[q];
        for (int level = 0; level < block.LevelCount; level++)
        {
            for (int d = 0; d < q; d++) z[d] = RandomDraws.Normal(rng);
            for (int d = 0; d < q; d++)
            {
                double s = 0;
                for (int e = 0; e <= d; e++) s += lambda[d, e] * z[e];
                b[level * q + d] = s;
            }
        }
        return b;
    }

    /// <summary>A seed for replicate <paramref name="index"/> of a run seeded <paramref name="seed"/> (SplitMix64 of the
    /// pair): the same whatever thread draws it.</summary>
    public static int StreamSeed(int seed, int index)
    {
        ulong x = ((ulong)(uint)seed << 32) | (uint)index;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}

using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Simulation;
using GlmmGpu.Specification;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Model frames built straight from simulated arrays (no CSV, no parser) for engine-level tests.</summary>
internal static class SyntheticFrames
{
    /// <summary>
    /// groups clusters of `perGroup` rows; X = [1, x1, x2]; Z = [1, x1, x2][..q]; y drawn from the family at
    /// beta = (0.3, 0.5, -0.4) with random-effect SD 0.7 per effect.
    /// </summary>
    public static ModelFrame Create(FamilyKind family, LinkKind link, int groups, int perGroup, int q, bool correlated, int seed) =>
        Create(family, link, Enumerable.Repeat(perGroup, groups).ToArray(), q, correlated, seed);

    /// <summary>As above with cluster g of <paramref name="sizes"/>[g] rows.</summary>
    public static ModelFrame Create(FamilyKind family, LinkKind link, int[] sizes, int q, bool correlated, int seed)
    {
        var rng = new Random(seed);
        int groups = sizes.Length, n = sizes.Sum(), p = 3;
        var x = new double[p * n];
        var z = new double[q * n];
        var y = new double[n];
        var w = new double[n];
        var level = new int[n];
        var offsets = new int[groups + 1];
        var beta = new[] { 0.3, 0.5, -0.4 };
        if (link is LinkKind.Inverse or LinkKind.InverseSquare) beta = new[] { 1.0, 0.05, -0.05 };
        if (link is LinkKind.Identity && family != FamilyKind.Gaussian) beta = new[] { 3.0, 0.3, -0.3 };
        double sd = link is LinkKind.Inverse or LinkKind.InverseSquare or LinkKind.Identity && family != FamilyKind.Gaussian ? 0.05 : 0.7;
        for (int g = 0; g < groups; g++)
        {
            offsets[g + 1] = offsets[g] + sizes[g];
            var b = new double[q];
            for (int d = 0; d < q; d++) b[d] = sd * RandomDraws.Normal(rng);
            for (int j = 0; j < sizes[g]; j++)
            {
                int i = offsets[g] + j;
                level[i] = g;
                x[i] = 1;
                x[n + i] = RandomDraws.Normal(rng);
                x[2 * n + i] = rng.NextDouble() < 0.5 ? 1 : 0;
                double eta = 0;
                for (int k = 0; k < p; k++) eta += x[k * n + i] * beta[k];
                for (int d = 0; d < q; d++)
                {
                    z[d * n + i] = x[d * n + i];
                    eta += z[d * n + i] * b[d];
                }
                (y[i], w[i]) = Draw(family, link, eta, rng);
            }
        }
        var termNames = new[] { "(Intercept)", "x1", "x2" }[..q];
        var formula = FormulaParser.Parse("y ~ x1 + x2 + (1 | g)");
        var block = new RandomEffectsBlock
        {
            Term = formula.RandomTerms[0],
            GroupingFactor = "g",
            Levels = Enumerable.Range(1, groups).Select(i => i.ToString()).ToArray(),
            TermNames = termNames,
            Correlated = correlated,
            Z = z,
            LevelOfRow = level,
            ClusterOffsets = offsets,
        };
        return new ModelFrame
        {
            Formula = formula,
            Family = family,
            Link = link,
            Response = y,
            Weights = w,
            Offset = new double[n],
            X = x,
            FixedNames = new[] { "(Intercept)", "x1", "x2" },
            DroppedColumns = Array.Empty<string>(),
            RandomEffects = new[] { block },
            DroppedRows = 0,
            SourceRow = Enumerable.Range(0, n).ToArray(),
        };
    }

    private static (double Y, double W) Draw(FamilyKind family, LinkKind link, double eta, Random rng)
    {
        double mu = RowLikelihoodDispatch.Mean(family, link, eta);
        return family switch
        {
            FamilyKind.Binomial => Trials(mu, rng),
            FamilyKind.Poisson => (RandomDraws.Poisson(mu, rng), 1),
            FamilyKind.NegativeBinomial => (RandomDraws.NegativeBinomial(mu, 2.0, rng), 1),
            FamilyKind.Gaussian => (mu + 0.5 * RandomDraws.Normal(rng), 1),
            FamilyKind.Gamma => (mu * RandomDraws.Gamma(3.0, rng) / 3.0, 1),
            _ => (RandomDraws.InverseGaussian(mu, 0.02, rng), 1),
        };
    }

    private static (double, double) Trials(double mu, Random rng)
    {
        int trials = 1 + rng.Next(5);
        return (RandomDraws.Binomial(trials, mu, rng), trials);
    }

}

using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Model frames built straight from simulated arrays (no CSV, no parser) for engine-level tests.</summary>
internal static class SyntheticFrames
{
    /// <summary>
    /// groups clusters of `perGroup` rows; X = [1, x1, x2]; Z = [1, x1, x2][..q]; y drawn from the family at
    /// beta = (0.3, 0.5, -0.4) with random-effect SD 0.7 per effect.
    /// </summary>
    public static ModelFrame Create(FamilyKind family, LinkKind link, int groups, int perGroup, int q, bool correlated, int seed)
    {
        var rng = new Random(seed);
        int n = groups * perGroup, p = 3;
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
            offsets[g] = g * perGroup;
            var b = new double[q];
            for (int d = 0; d < q; d++) b[d] = sd * Normal(rng);
            for (int j = 0; j < perGroup; j++)
            {
                int i = g * perGroup + j;
                level[i] = g;
                x[i] = 1;
                x[n + i] = Normal(rng);
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
        offsets[groups] = n;
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
        double mu = RowLikelihoodDispatch.Dispatch(family, link, new MeanOf(eta));
        switch (family)
        {
            case FamilyKind.Binomial:
            {
                int trials = 1 + rng.Next(5);
                int s = 0;
                for (int t = 0; t < trials; t++) if (rng.NextDouble() < mu) s++;
                return (s, trials);
            }
            case FamilyKind.Poisson: return (Poisson(mu, rng), 1);
            case FamilyKind.NegativeBinomial: return (Poisson(mu * Gamma(2.0, rng) / 2.0, rng), 1);
            case FamilyKind.Gaussian: return (mu + 0.5 * Normal(rng), 1);
            case FamilyKind.Gamma: return (mu * Gamma(3.0, rng) / 3.0, 1);
            default: return (Math.Max(1e-3, mu * Math.Exp(0.2 * Normal(rng) - 0.02)), 1);
        }
    }

    private sealed class MeanOf(double eta) : IRowLikelihoodVisitor<double>
    {
        public double Visit<TModel>() where TModel : struct, IRowLikelihood => default(TModel).Mean(eta);
    }

    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static int Poisson(double mu, Random rng)
    {
        double l = Math.Exp(-mu), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    private static double Gamma(double shape, Random rng)
    {
        // Marsaglia–Tsang, shape >= 1.
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double xx = Normal(rng), v = 1 + c * xx;
            if (v <= 0) continue;
            v = v * v * v;
            double uu = rng.NextDouble();
            if (Math.Log(uu) < 0.5 * xx * xx + d - d * v + d * Math.Log(v)) return d * v;
        }
    }
}

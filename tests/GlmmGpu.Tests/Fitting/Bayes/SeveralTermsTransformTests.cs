using GlmmGpu.Engines;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Sampling;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>The several-terms map (beta, each term's SDs and correlations, log phi) to psi against finite differences,
/// against each term's own one-factor map, and its inverse.</summary>
public class SeveralTermsTransformTests
{
    // Two fixed effects; a correlated slope term, a scalar term, an uncorrelated pair; with and without a dispersion.
    private static readonly (int Q, bool Correlated)[] Terms = [(2, true), (1, false), (2, false)];

    private static (SeveralTermsTransform Transform, PriorSet[] TermPriors) Make(bool dispersion)
    {
        var termPriors = Terms.Select((t, k) => new PriorSet
        {
            Coefficients = [],
            Sds = Enumerable.Range(0, t.Q).Select(j => (k + j) % 2 == 0 ? Prior.Exponential(1.5) : new Prior(PriorKind.HalfCauchy, [2])).ToArray(),
            Correlation = t.Correlated ? Prior.Lkj(2.5) : null,
            Description = [],
        }).ToArray();
        var priors = new PriorSet
        {
            Coefficients = [Prior.Normal(0.5, 3), new Prior(PriorKind.StudentT, [4, 0, 2])],
            Sds = [],
            Dispersion = dispersion ? new Prior(PriorKind.Gamma, [2, 1]) : null,
            Description = [],
        };
        var layouts = Terms.Select(t => new ParameterLayout(0, t.Q, t.Correlated, hasDispersion: false)).ToArray();
        return (new SeveralTermsTransform(2, layouts, priors, termPriors, dispersion, dispersion ? -0.5 : 1.0), termPriors);
    }

    private static double[] Point(int n, int seed)
    {
        var rng = new ChainRandom(seed, 0);
        return Enumerable.Range(0, n).Select(_ => 1.2 * (rng.NextDouble() - 0.5)).ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LogPriorAndPullBackMatchFiniteDifferences(bool dispersion)
    {
        var (t, _) = Make(dispersion);
        Assert.Equal(2 + 3 + 1 + 2 + (dispersion ? 1 : 0), t.Dimension);
        Assert.Equal(2 + 3 + 1 + 2 + (dispersion ? 1 : 0), t.PsiCount);
        var z = Point(t.Dimension, 3);
        var g = Point(t.PsiCount, 9);
        var prior = new double[t.Dimension];
        t.LogPrior(z, prior);
        var pulled = new double[t.Dimension];
        t.AddPullBack(z, g, pulled);
        var scratch = new double[t.Dimension];
        double Linear(double[] x)
        {
            var psi = new double[t.PsiCount];
            t.ToPsi(x, psi);
            return psi.Zip(g, (a, b) => a * b).Sum();
        }
        for (int i = 0; i < t.Dimension; i++)
        {
            double h = 1e-6;
            var plus = (double[])z.Clone();
            var minus = (double[])z.Clone();
            plus[i] += h;
            minus[i] -= h;
            double fdPrior = (t.LogPrior(plus, scratch) - t.LogPrior(minus, scratch)) / (2 * h);
            double fdPull = (Linear(plus) - Linear(minus)) / (2 * h);
            Assert.True(Math.Abs(fdPrior - prior[i]) < 1e-7 * (1 + Math.Abs(fdPrior)), $"prior z[{i}]: {prior[i]:R} vs {fdPrior:R}");
            Assert.True(Math.Abs(fdPull - pulled[i]) < 1e-7 * (1 + Math.Abs(fdPull)), $"pull-back z[{i}]: {pulled[i]:R} vs {fdPull:R}");
        }
    }

    /// <summary>Each term's slice of psi and of the reported values is what the term's own one-factor map gives, and
    /// the map inverts.</summary>
    [Fact]
    public void EachTermIsItsOwnOneFactorMapAndTheMapInverts()
    {
        var (t, termPriors) = Make(dispersion: true);
        var z = Point(t.Dimension, 7);
        var psi = new double[t.PsiCount];
        t.ToPsi(z, psi);
        var values = new double[t.Dimension];
        t.Constrained(z, values);
        int zAt = 2, psiAt = 2;
        for (int k = 0; k < Terms.Length; k++)
        {
            var layout = new ParameterLayout(0, Terms[k].Q, Terms[k].Correlated, hasDispersion: false);
            var own = new PosteriorTransform(layout, termPriors[k], 1.0);
            var ownPsi = new double[layout.Count];
            own.ToPsi(z.AsSpan(zAt, own.Dimension), ownPsi);
            Assert.Equal(ownPsi, psi.AsSpan(psiAt, layout.Count).ToArray());
            var ownValues = new double[own.Dimension];
            own.Constrained(z.AsSpan(zAt, own.Dimension), ownValues);
            Assert.Equal(ownValues, values.AsSpan(zAt, own.Dimension).ToArray());
            zAt += own.Dimension;
            psiAt += layout.Count;
        }
        Assert.Equal(z[..2], psi[..2]);
        Assert.Equal(Math.Exp(-0.5 * z[^1]), values[^1], 14);
        var back = t.FromPsi(psi, 1e-8);
        for (int i = 0; i < z.Length; i++) Assert.Equal(z[i], back[i], 10);
    }
}

using GlmmGpu.Fitting.Bayes.Grid;
using GlmmGpu.Kernels.Numerics;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes.Grid;

/// <summary>The grid's one-dimensional numerics: the skew normal matched to three cumulants and its CDF (against
/// quadrature of its density), the mixture's quantiles, the weighted points' summaries, the standardised axes.</summary>
public class GridNumericsTests
{
    [Theory]
    [InlineData(0.3, 2.0, 0.5)]
    [InlineData(-1.0, 0.25, -0.05)]
    [InlineData(2.0, 1.0, 0.0)]
    public void TheSkewNormalHasTheCumulantsItWasMatchedToAndItsCdfIntegratesItsDensity(double mean, double variance, double third)
    {
        var d = SkewNormal.FromCumulants(mean, variance, third);
        // Its density 2 / omega phi(z) Phi(alpha z), integrated by the midpoint rule over +-12 SDs.
        double sd = Math.Sqrt(variance), step = sd / 2000, m0 = 0, m1 = 0;
        var xs = new List<double>();
        var fs = new List<double>();
        for (double x = mean - 12 * sd + step / 2; x < mean + 12 * sd; x += step)
        {
            double z = (x - d.Location) / d.Scale;
            double f = 2 / d.Scale * SpecialFunctions.NormalDensity(z) * SpecialFunctions.NormalCdf(d.Shape * z);
            xs.Add(x);
            fs.Add(f);
            m0 += f * step;
            m1 += f * x * step;
        }
        double mu = m1 / m0, m2 = 0, m3 = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            m2 += fs[i] * Math.Pow(xs[i] - mu, 2) * step;
            m3 += fs[i] * Math.Pow(xs[i] - mu, 3) * step;
        }
        Assert.Equal(1.0, m0, 8);
        Assert.Equal(mean, mu, 8);
        Assert.Equal(variance, m2, 7);
        Assert.Equal(third, m3, 6);
        // The CDF against the integral of the density up to a few points.
        foreach (double target in new[] { mean - 2 * sd, mean, mean + 1.5 * sd })
        {
            double integral = 0;
            for (int i = 0; i < xs.Count; i++)
            {
                double left = xs[i] - step / 2, right = xs[i] + step / 2;
                if (right <= target) integral += fs[i] * step;
                else
                {
                    if (left < target) integral += fs[i] * (target - left);
                    break;
                }
            }
            Assert.Equal(integral, d.Cdf(target), 6);
        }
    }

    [Theory]
    [InlineData(0.3, 2.0, 0.5)]
    [InlineData(-1.0, 0.25, -0.05)]
    public void TheSkewNormalsQuantileInvertsItsCdf(double mean, double variance, double third)
    {
        var d = SkewNormal.FromCumulants(mean, variance, third);
        foreach (double u in new[] { 1e-6, 0.025, 0.3, 0.5, 0.9, 0.975, 1 - 1e-6 })
            Assert.Equal(u, d.Cdf(d.Quantile(u)), 12);
    }

    [Fact]
    public void ASingleNormalComponentHasTheNormalsQuantiles()
    {
        var s = MixtureSummary.OfSkewNormals("b", [3.0], [1.5], [0.4], [0.0]);
        Assert.Equal(1.5, s.Mean, 14);
        Assert.Equal(0.4, s.Sd, 14);
        Assert.Equal(1.5 - 1.959963984540054 * 0.4, s.Q2_5, 10);
        Assert.Equal(1.5, s.Q50, 10);
        Assert.Equal(1.5 + 1.959963984540054 * 0.4, s.Q97_5, 10);
        Assert.Equal(0.0, s.Mcse);
        Assert.True(double.IsNaN(s.EssBulk) && double.IsNaN(s.Rhat));
    }

    [Fact]
    public void AnEvenMixtureOfTwoNormalsHasItsMomentsAndMedian()
    {
        var s = MixtureSummary.OfSkewNormals("b", [1.0, 1.0], [-1.0, 1.0], [0.5, 0.5], [0.0, 0.0]);
        Assert.Equal(0.0, s.Mean, 14);
        Assert.Equal(Math.Sqrt(0.25 + 1.0), s.Sd, 14);
        Assert.Equal(0.0, s.Q50, 10);
        // The 97.5% point solves (Phi((x + 1) / 0.5) + Phi((x - 1) / 0.5)) / 2 = 0.975.
        double cdf = 0.5 * (SpecialFunctions.NormalCdf((s.Q97_5 + 1) / 0.5) + SpecialFunctions.NormalCdf((s.Q97_5 - 1) / 0.5));
        Assert.Equal(0.975, cdf, 12);
        Assert.Equal(-s.Q97_5, s.Q2_5, 10);
    }

    [Fact]
    public void WeightedPointsOnAFineLatticeGiveTheNormalsSummaries()
    {
        var values = Enumerable.Range(-800, 1601).Select(i => i / 100.0).ToArray();
        var weights = values.Select(x => Math.Exp(-0.5 * x * x)).ToArray();
        var s = MixtureSummary.OfWeightedPoints("v", values, weights);
        Assert.Equal(0.0, s.Mean, 12);
        Assert.Equal(1.0, s.Sd, 8);
        Assert.Equal(-1.959964, s.Q2_5, 3);
        Assert.Equal(1.959964, s.Q97_5, 3);
    }

    [Fact]
    public void TheStandardisedAxesWhitenTheHessian()
    {
        double[,] hessian = { { 4.0, 1.0 }, { 1.0, 2.0 } };
        var axes = StandardisedAxes.FromHessian([0.5, -1.0], hessian);
        // Map' H Map is the identity: z has unit curvature on every axis.
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
            {
                double v = 0;
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++) v += axes.Map[i, a] * hessian[i, j] * axes.Map[j, b];
                Assert.Equal(a == b ? 1.0 : 0.0, v, 12);
            }
        Assert.Equal([0.5, -1.0], axes.ToVariance([0.0, 0.0]));
        var e = Assert.Throws<GlmmException>(() => StandardisedAxes.FromHessian([0.0, 0.0], new double[,] { { 1.0, 0.0 }, { 0.0, -1.0 } }));
        Assert.Contains("not curved downwards at its mode", e.Message);
    }
}

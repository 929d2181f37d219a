using GlmmGpu.Kernels.Quadrature;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

public class GaussHermiteTests
{
    /// <summary>The integral of x^(2m) exp(-x^2) over the line: Gamma(m + 1/2) = sqrt(pi) (2m - 1)!! / 2^m.</summary>
    private static double EvenMoment(int m)
    {
        double v = Math.Sqrt(Math.PI);
        for (int i = 1; i <= m; i++) v *= (2 * i - 1) / 2.0;
        return v;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(25)]
    public void IntegratesPolynomialsUpToDegree2KMinus1(int k)
    {
        var (x, w) = GaussHermite.Rule(k);
        Assert.Equal(k, x.Length);
        for (int degree = 0; degree <= Math.Min(2 * k - 1, 30); degree++)
        {
            double sum = 0, magnitude = 0;
            for (int i = 0; i < k; i++)
            {
                sum += w[i] * Math.Pow(x[i], degree);
                magnitude += w[i] * Math.Pow(Math.Abs(x[i]), degree);
            }
            double expected = degree % 2 == 1 ? 0.0 : EvenMoment(degree / 2);
            // Odd moments cancel terms of either sign: the rounding scales with the terms' sizes.
            Assert.True(Math.Abs(sum - expected) <= 1e-13 * Math.Max(1.0, magnitude), $"K = {k}, degree {degree}: {sum:R} vs {expected:R}");
        }
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 7)]
    [InlineData(3, 5)]
    [InlineData(2, 4)]
    public void GridPutsTheHeaviestPointsFirstAndTheModeFirstOfAll(int q, int k)
    {
        var (nodes, weights) = GaussHermite.Rule(k);
        var grid = new QuadratureGrid(q, k);
        Assert.Equal((int)Math.Pow(k, q), grid.Count);
        double previous = double.PositiveInfinity, total = 0;
        for (int p = 0; p < grid.Count; p++)
        {
            // Each point's Gauss-Hermite weight, recovered from its nodes: the stored log-weight is that plus |z|^2.
            double logGauss = 0, z2 = 0;
            for (int d = 0; d < q; d++)
            {
                double z = grid.Z[p * q + d];
                int i = Array.FindIndex(nodes, v => v == z);
                Assert.True(i >= 0, $"point {p} coordinate {d} is not a node");
                logGauss += Math.Log(weights[i]);
                z2 += z * z;
            }
            Assert.Equal(logGauss + z2, grid.LogWeight[p], 12);
            Assert.True(logGauss <= previous + 1e-14, $"point {p} is heavier than the one before it");
            previous = logGauss;
            total += Math.Exp(logGauss);
        }
        Assert.Equal(Math.Pow(Math.PI, q / 2.0), total, 10);
        bool firstIsMode = Enumerable.Range(0, q).All(d => grid.Z[d] == 0.0);
        Assert.Equal(k % 2 == 1, firstIsMode);
    }
}

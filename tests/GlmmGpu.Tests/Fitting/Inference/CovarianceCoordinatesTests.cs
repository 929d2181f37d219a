using GlmmGpu.Fitting.Inference;
using GlmmGpu.Kernels.Numerics;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Inference;

/// <summary>The profile's covariance coordinates: SDs and correlations read back, the map inverted, and its chain rule
/// against central differences.</summary>
public class CovarianceCoordinatesTests
{
    private static Mat3 Lower3()
    {
        var l = default(Mat3);
        l[0, 0] = 1.5; l[1, 0] = -0.4; l[1, 1] = 0.7; l[2, 0] = 0.3; l[2, 1] = 0.2; l[2, 2] = -0.9;
        return l;
    }

    [Fact]
    public void SdsAndCorrelationsAreThoseOfLambdaLambdaTransposed()
    {
        var map = new CovarianceCoordinates(3, correlated: true);
        var lambda = Lower3();
        var c = map.FromLambda(lambda);
        var (sd, corr) = map.Natural(c);
        var cov = SmallLinearAlgebra.Multiply(lambda, SmallLinearAlgebra.Transpose(lambda, 3), 3);
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Sqrt(cov[i, i]), sd[i], 13);
        Assert.Equal(cov[1, 0] / (sd[0] * sd[1]), corr[0], 13);
        Assert.Equal(cov[2, 0] / (sd[0] * sd[2]), corr[1], 13);
        Assert.Equal(cov[2, 1] / (sd[1] * sd[2]), corr[2], 13);
        Assert.Equal(corr[0], CovarianceCoordinates.CorrelationOf(c[map.OffDiagonalIndex(1, 0)]), 13);
        var back = map.Lambda(c);
        var cov2 = SmallLinearAlgebra.Multiply(back, SmallLinearAlgebra.Transpose(back, 3), 3);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(cov[i, j], cov2[i, j], 13);
    }

    /// <summary>Reordered coordinates give the same covariance back, and their corr(1, 0) is the correlation of the two
    /// effects put first.</summary>
    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    public void ReorderedCoordinatesHoldTheOtherCorrelations(int i, int j)
    {
        var own = new CovarianceCoordinates(3, correlated: true);
        var order = new[] { j, i }.Concat(Enumerable.Range(0, 3).Where(e => e != i && e != j)).ToArray();
        var reordered = new CovarianceCoordinates(3, correlated: true, order);
        var lambda = Lower3();
        var c = reordered.FromLambda(lambda);
        var (_, corr) = own.Natural(own.FromLambda(lambda));
        Assert.Equal(corr[i * (i - 1) / 2 + j], CovarianceCoordinates.CorrelationOf(c[reordered.OffDiagonalIndex(1, 0)]), 12);
        var back = reordered.Lambda(c);
        var cov = SmallLinearAlgebra.Multiply(lambda, SmallLinearAlgebra.Transpose(lambda, 3), 3);
        var cov2 = SmallLinearAlgebra.Multiply(back, SmallLinearAlgebra.Transpose(back, 3), 3);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) Assert.Equal(cov[a, b], cov2[a, b], 12);
    }

    [Fact]
    public void ChainRuleMatchesCentralDifferences()
    {
        var map = new CovarianceCoordinates(3, correlated: true);
        var c = map.FromLambda(Lower3());
        // A linear function of Lambda, sum G[r, c] Lambda[r, c], has gradient G in Lambda.
        var g = default(Mat3);
        g[0, 0] = 0.3; g[1, 0] = -1.1; g[1, 1] = 0.8; g[2, 0] = 0.5; g[2, 1] = -0.2; g[2, 2] = 1.3;
        double F(double[] x)
        {
            var l = map.Lambda(x);
            double s = 0;
            for (int r = 0; r < 3; r++)
                for (int k = 0; k <= r; k++) s += g[r, k] * l[r, k];
            return s;
        }
        var gradient = new double[map.Count];
        map.LambdaGradient(c, g, gradient);
        for (int k = 0; k < map.Count; k++)
        {
            var plus = (double[])c.Clone(); plus[k] += 1e-6;
            var minus = (double[])c.Clone(); minus[k] -= 1e-6;
            Assert.Equal((F(plus) - F(minus)) / 2e-6, gradient[k], 8);
        }
    }
}

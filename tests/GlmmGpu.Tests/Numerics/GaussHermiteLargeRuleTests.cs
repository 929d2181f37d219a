using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Quadrature;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

/// <summary>
/// Rules with many nodes: up to the cap the fits accept (<see cref="QuadratureLimits.MaxNodesPerEffect"/>) and beyond,
/// where the outermost weights fall below double's range and only their logarithms are representable. From 199 nodes
/// up the old Newton starts all converged to the largest root (weights summing to 3e-160).
/// </summary>
public class GaussHermiteLargeRuleTests
{
    public static TheoryData<int> LargeCounts => new() { 150, 198, 199, QuadratureLimits.MaxNodesPerEffect, 201, 500, 1000 };

    [Theory]
    [MemberData(nameof(LargeCounts))]
    public void NodesAreDistinctSortedAndSymmetric(int k)
    {
        var (x, _, logW) = GaussHermite.Compute(k);
        Assert.Equal(k, x.Length);
        for (int i = 0; i < k; i++)
        {
            Assert.True(double.IsFinite(x[i]) && double.IsFinite(logW[i]), $"K = {k}, node {i}: {x[i]:R}, log w {logW[i]:R}");
            Assert.Equal(-x[i], x[k - 1 - i]);
            Assert.Equal(logW[i], logW[k - 1 - i]);
            if (i > 0) Assert.True(x[i] < x[i - 1], $"K = {k}: node {i} ({x[i]:R}) is not below node {i - 1} ({x[i - 1]:R})");
        }
        if (k % 2 == 1) Assert.Equal(0.0, x[k / 2]);
        // The largest root of H_K lies below sqrt(2K + 1) (Szego): a rule whose roots had all collapsed onto it would
        // pass the ordering test only by accident.
        Assert.InRange(x[0], 0.9 * Math.Sqrt(2.0 * k + 1), Math.Sqrt(2.0 * k + 1));
    }

    [Theory]
    [MemberData(nameof(LargeCounts))]
    public void WeightsSumToSqrtPiAndIntegrateEvenMomentsExactly(int k)
    {
        var (x, _, logW) = GaussHermite.Compute(k);
        for (int m = 0; m <= 20; m++)
        {
            // From the tails inwards, so that the smallest terms are not lost below the largest ones' rounding.
            double sum = 0;
            for (int i = 0; i < k / 2; i++) sum += 2.0 * Math.Exp(logW[i] + 2 * m * Math.Log(Math.Abs(x[i])));
            if (k % 2 == 1 && m == 0) sum += Math.Exp(logW[k / 2]);
            double expected = EvenMoment(m);
            double tolerance = m == 0 ? 1e-13 : 1e-12;
            Assert.True(Math.Abs(sum - expected) <= tolerance * expected, $"K = {k}, x^{2 * m}: {sum:R} vs {expected:R}");
        }
    }

    /// <summary>
    /// The log-weights against an independent formula, the Christoffel numbers 1 / w_i = sum_(j &lt; K) p_j(x_i)^2 of
    /// the orthonormal Hermite polynomials, which the rule does not use: every weight, the underflowing tails included.
    /// </summary>
    [Theory]
    [MemberData(nameof(LargeCounts))]
    public void LogWeightsAreTheChristoffelNumbers(int k)
    {
        var (x, _, logW) = GaussHermite.Compute(k);
        for (int i = 0; i <= k / 2; i++)
        {
            double expected = -LogSumOfSquares(k, x[i]);
            Assert.True(Math.Abs(logW[i] - expected) <= 1e-11 * Math.Max(1.0, Math.Abs(expected)),
                $"K = {k}, node {i} ({x[i]:R}): log w {logW[i]:R}, Christoffel {expected:R}");
        }
    }

    [Fact]
    public void TheOneNodeRuleKeepsLaplacesLogWeightBitForBit()
    {
        // The grid had taken log(sqrt(pi)); 0.5 log(pi) differs in the last bit and moved Laplace fits by an ulp.
        Assert.Equal(Math.Log(Math.Sqrt(Math.PI)), new QuadratureGrid(1, 1).LogWeight[0]);
    }

    [Fact]
    public void WeightsBelowDoublesRangeAreZeroAndTheirLogsFinite()
    {
        var (_, w, logW) = GaussHermite.Compute(1000);
        Assert.Equal(0.0, w[0]);
        Assert.InRange(logW[0], -2000.0, -1900.0);
        var grid = new QuadratureGrid(1, 1000);
        Assert.All(grid.LogWeight, lw => Assert.True(double.IsFinite(lw)));
    }

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 200)]
    [InlineData(3, 46)]
    public void GridsAtTheCapHaveFiniteWeightsThatSumToPiToTheHalfQ(int q, int k)
    {
        var grid = new QuadratureGrid(q, k);
        Assert.Equal((int)Math.Pow(k, q), grid.Count);
        double total = 0;
        // The grid is heaviest first: add from the end, the smallest terms first.
        for (int p = grid.Count - 1; p >= 0; p--)
        {
            Assert.True(double.IsFinite(grid.LogWeight[p]), $"point {p}: {grid.LogWeight[p]:R}");
            double z2 = 0;
            for (int d = 0; d < q; d++) z2 += grid.Z[p * q + d] * grid.Z[p * q + d];
            total += Math.Exp(grid.LogWeight[p] - z2);
        }
        Assert.True(Math.Abs(total - Math.Pow(Math.PI, q / 2.0)) <= 1e-12 * total, $"{total:R}");
    }

    /// <summary>The integral of x^(2m) exp(-x^2) over the line: Gamma(m + 1/2) = sqrt(pi) (2m - 1)!! / 2^m.</summary>
    private static double EvenMoment(int m)
    {
        double v = Math.Sqrt(Math.PI);
        for (int i = 1; i <= m; i++) v *= (2 * i - 1) / 2.0;
        return v;
    }

    /// <summary>log sum_(j &lt; K) p_j(x)^2 for the orthonormal Hermite polynomials (p_0 = pi^(-1/4)), the sum kept
    /// with a separate power of two so that it does not overflow.</summary>
    private static double LogSumOfSquares(int k, double x)
    {
        double previous = 0.0, current = Math.Pow(Math.PI, -0.25), sum = current * current;
        int exponent = 0;
        for (int j = 1; j < k; j++)
        {
            double next = x * Math.Sqrt(2.0 / j) * current - Math.Sqrt((j - 1.0) / j) * previous;
            previous = current;
            current = next;
            sum += current * current;
            if (Math.Abs(current) > 1e100)
            {
                // p_j scales by 2^-300, its square and the running sum by 2^-600.
                previous = Math.ScaleB(previous, -300);
                current = Math.ScaleB(current, -300);
                sum = Math.ScaleB(sum, -600);
                exponent += 600;
            }
        }
        return Math.Log(sum) + exponent * Math.Log(2.0);
    }
}

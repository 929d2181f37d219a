using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Fitting.Inference;
using GlmmGpu.Fitting.Optimization;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Inference;

/// <summary>The profiler on objectives whose profiles are known in closed form.</summary>
public class LikelihoodProfilerTests
{
    /// <summary>A Gaussian log-likelihood f = (u - m)' A (u - m) / 2: zeta is linear, and the ends are m_j -+ z sqrt((A^-1)_jj)
    /// whatever the correlation between the coordinates, even from a first curvature that is off by a factor.</summary>
    [Fact]
    public void QuadraticProfileEndsAreTheWaldEnds()
    {
        var m = new[] { 1.0, -2.0, 0.5 };
        var a = new double[,] { { 4, 1.5, 0.3 }, { 1.5, 2, -0.4 }, { 0.3, -0.4, 1 } };
        Bfgs.Objective f = (u, g) =>
        {
            double value = 0;
            for (int i = 0; i < 3; i++)
            {
                double s = 0;
                for (int j = 0; j < 3; j++) s += a[i, j] * (u[j] - m[j]);
                g[i] = s;
                value += 0.5 * (u[i] - m[i]) * s;
            }
            return value;
        };
        var inverse = GlmmGpu.LinearAlgebra.Dense.InverseSpd(a)!;
        var misjudged = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) misjudged[i, j] = 2.5 * inverse[i, j];
        var profiler = new LikelihoodProfiler(f, m, 0.0, misjudged);
        double z = NormalQuantile.Of(0.975);
        for (int j = 0; j < 3; j++)
        {
            var interval = profiler.Interval(j, z);
            double half = z * Math.Sqrt(inverse[j, j]);
            Assert.Equal(m[j] - half, interval.Lower, 6);
            Assert.Equal(m[j] + half, interval.Upper, 6);
        }
    }

    /// <summary>A Poisson count's log-likelihood in log mu, y = 3: the profile is not quadratic, and the ends are where
    /// 2 (f(t) - f^) = z^2, found here by bisection, to the profiler's tolerance; an end past a bound is the bound.</summary>
    [Fact]
    public void SkewedProfileEndsSolveTheDevianceRise()
    {
        const double y = 3;
        double F(double t) => Math.Exp(t) - y * t;
        Bfgs.Objective f = (u, g) =>
        {
            g[0] = Math.Exp(u[0]) - y;
            return F(u[0]);
        };
        double tHat = Math.Log(y), fHat = F(tHat), z = NormalQuantile.Of(0.975);
        var profiler = new LikelihoodProfiler(f, new[] { tHat }, fHat, new double[,] { { 1 / y } });
        var interval = profiler.Interval(0, z);
        double Solve(double lo, double hi)
        {
            for (int i = 0; i < 200; i++)
            {
                double mid = 0.5 * (lo + hi);
                if ((2 * (F(mid) - fHat) - z * z) * (2 * (F(lo) - fHat) - z * z) <= 0) hi = mid; else lo = mid;
            }
            return 0.5 * (lo + hi);
        }
        // The ends are taken once |zeta - z| < 1e-5, and zeta's slope here is about 1 to 2 per unit of t.
        Assert.True(Math.Abs(Solve(tHat - 5, tHat) - interval.Lower) < 1e-5, $"lower {interval.Lower} vs {Solve(tHat - 5, tHat)}");
        Assert.True(Math.Abs(Solve(tHat, tHat + 5) - interval.Upper) < 1e-5, $"upper {interval.Upper} vs {Solve(tHat, tHat + 5)}");
        Assert.Equal(0.5, profiler.Interval(0, z, lowerBound: 0.5).Lower);
    }

    /// <summary>A likelihood flat in one coordinate (as in a variance at zero's correlations): the Hessian is singular,
    /// the profile starts from a regularised curvature, the other coordinate's ends are still exact and the flat one's
    /// profile never crosses (its ends are infinite).</summary>
    [Fact]
    public void FlatDirectionGivesInfiniteEndsAndLeavesTheOthersExact()
    {
        Bfgs.Objective f = (u, g) =>
        {
            g[0] = u[0] - 1;
            g[1] = 0;
            return 0.5 * (u[0] - 1) * (u[0] - 1);
        };
        var covariance = LikelihoodProfiler.Covariance(new double[,] { { 1, 0 }, { 0, 0 } }, out bool regularised);
        Assert.True(regularised);
        var profiler = new LikelihoodProfiler(f, new[] { 1.0, 0.0 }, 0.0, covariance!);
        double z = NormalQuantile.Of(0.975);
        var first = profiler.Interval(0, z);
        Assert.Equal(1 - z, first.Lower, 6);
        Assert.Equal(1 + z, first.Upper, 6);
        var flat = profiler.Interval(1, z);
        Assert.Equal(double.NegativeInfinity, flat.Lower);
        Assert.Equal(double.PositiveInfinity, flat.Upper);
    }
}

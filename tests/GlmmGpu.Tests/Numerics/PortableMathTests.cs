using GlmmGpu.Kernels.Numerics;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

/// <summary>
/// The exp and log that every family, link and kernel uses, against the platform's Math.Exp and Math.Log
/// (glibc's are within one ulp of the correctly rounded result): random sweeps over the ranges the likelihoods
/// meet, the edges of the double range, and the special values.
/// </summary>
public class PortableMathTests
{
    /// <summary>Distance in units of the last place of <paramref name="expected"/>.</summary>
    private static double Ulps(double actual, double expected)
    {
        if (actual == expected) return 0;
        double a = Math.Abs(expected);
        return Math.Abs(actual - expected) / (Math.BitIncrement(a) - a);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(40.0)]
    [InlineData(745.0)]
    public void ExpIsWithinOneUlpOfMathExpOverRandomArguments(double range)
    {
        var rng = new Random(11);
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            double x = range * (2 * rng.NextDouble() - 1);
            worst = Math.Max(worst, Ulps(PortableMath.Exp(x), Math.Exp(x)));
        }
        Assert.True(worst <= 1.0, $"worst {worst} ulp");
    }

    [Theory]
    [InlineData(1e-6)]
    [InlineData(3.0)]
    [InlineData(700.0)]
    public void LogIsWithinOneUlpOfMathLogOverRandomArguments(double logRange)
    {
        var rng = new Random(12);
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            double x = Math.Exp(logRange * (2 * rng.NextDouble() - 1));
            worst = Math.Max(worst, Ulps(PortableMath.Log(x), Math.Log(x)));
        }
        Assert.True(worst <= 1.0, $"worst {worst} ulp");
    }

    /// <summary>Every mantissa boundary the range reduction splits on: powers of two and sqrt 2 times them.</summary>
    [Fact]
    public void LogIsAccurateAtTheRangeReductionsBoundaries()
    {
        for (int e = -1070; e <= 1023; e++)
        {
            double p = Math.ScaleB(1.0, e);
            Assert.Equal((double)e * Math.Log(2.0), PortableMath.Log(p), 1e-15 * Math.Max(1, Math.Abs(e)));
            foreach (double x in new[] { p * Math.Sqrt(2.0), Math.BitDecrement(p * Math.Sqrt(2.0)), Math.BitIncrement(p), Math.BitDecrement(p) })
            {
                if (x == 0 || double.IsInfinity(x)) continue;
                Assert.True(Ulps(PortableMath.Log(x), Math.Log(x)) <= 1.0, $"log({x:R}) = {PortableMath.Log(x):R}, Math.Log {Math.Log(x):R}");
            }
        }
    }

    [Theory]
    [InlineData(709.78271289338397)] // the largest argument with a finite result
    [InlineData(709.7)]
    [InlineData(-708.39641853226408)] // the smallest normal result
    [InlineData(-720.0)] // subnormal results
    [InlineData(-744.0)]
    [InlineData(-745.13321910194110)] // the smallest subnormal
    [InlineData(1e-300)]
    [InlineData(-1e-300)]
    public void ExpAtTheEdgesOfTheDoubleRangeMatchesMathExp(double x)
    {
        double expected = Math.Exp(x);
        double actual = PortableMath.Exp(x);
        // Subnormal results have fewer significant bits, so one ulp there is relatively larger, but still one ulp.
        Assert.True(Ulps(actual, expected) <= 1.0, $"exp({x:R}) = {actual:R}, Math.Exp {expected:R}");
    }

    [Fact]
    public void SpecialValuesFollowIeee()
    {
        Assert.Equal(1.0, PortableMath.Exp(0.0));
        Assert.Equal(1.0, PortableMath.Exp(-0.0));
        Assert.Equal(double.PositiveInfinity, PortableMath.Exp(709.8));
        Assert.Equal(double.PositiveInfinity, PortableMath.Exp(double.PositiveInfinity));
        Assert.Equal(0.0, PortableMath.Exp(-745.2));
        Assert.Equal(0.0, PortableMath.Exp(double.NegativeInfinity));
        Assert.True(double.IsNaN(PortableMath.Exp(double.NaN)));

        Assert.Equal(0.0, PortableMath.Log(1.0));
        Assert.Equal(double.NegativeInfinity, PortableMath.Log(0.0));
        Assert.Equal(double.NegativeInfinity, PortableMath.Log(-0.0));
        Assert.Equal(double.PositiveInfinity, PortableMath.Log(double.PositiveInfinity));
        Assert.True(double.IsNaN(PortableMath.Log(-1e-300)));
        Assert.True(double.IsNaN(PortableMath.Log(double.NegativeInfinity)));
        Assert.True(double.IsNaN(PortableMath.Log(double.NaN)));
        Assert.Equal(Math.Log(double.Epsilon), PortableMath.Log(double.Epsilon));
        Assert.Equal(Math.Log(double.MaxValue), PortableMath.Log(double.MaxValue));
    }

    /// <summary>log(1 + t) for small t is where a logistic likelihood's log lands: there the error must be
    /// relative to t, not to 1.</summary>
    [Fact]
    public void LogNearOneIsRelativelyAccurate()
    {
        for (double t = 1e-15; t < 1e-1; t *= 1.7)
        {
            double x = 1.0 + t;
            Assert.True(Ulps(PortableMath.Log(x), Math.Log(x)) <= 1.0, $"log({x:R})");
            double y = 1.0 - t;
            Assert.True(Ulps(PortableMath.Log(y), Math.Log(y)) <= 1.0, $"log({y:R})");
        }
    }
}

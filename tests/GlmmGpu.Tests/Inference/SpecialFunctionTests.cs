using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Inference;
using Xunit;

namespace GlmmGpu.Tests.Inference;

/// <summary>The chi-square upper tail and the normal quantile against R's pchisq and qnorm (values printed to 17 digits).</summary>
public class SpecialFunctionTests
{
    [Theory]
    [InlineData(25.6099375989, 3, 1.1510064874412142e-05)]
    [InlineData(23.536537473129599, 1, 1.225639972954177e-06)]
    [InlineData(0.5, 1, 0.47950012218695348)]
    [InlineData(3.84, 1, 0.050043521248705224)]
    [InlineData(10, 4, 0.040427681994512805)]
    [InlineData(100, 2, 1.9287498479639178e-22)]
    [InlineData(0.001, 5, 0.99999999831851227)]
    [InlineData(7, 10, 0.72544495330960468)]
    [InlineData(200, 150, 0.0039731859708216086)]
    public void ChiSquareUpperTailIsRsPchisq(double x, double df, double expected)
    {
        double p = ChiSquare.UpperTail(x, df);
        Assert.True(Math.Abs(p - expected) <= 1e-12 * expected, $"pchisq({x}, {df}, lower = FALSE): {p:R}, R gives {expected:R}");
    }

    [Fact]
    public void ChiSquareEdges()
    {
        Assert.Equal(1.0, ChiSquare.UpperTail(0, 3));
        Assert.Equal(0.0, ChiSquare.UpperTail(double.PositiveInfinity, 3));
        Assert.True(double.IsNaN(ChiSquare.UpperTail(1, 0)));
    }

    [Theory]
    [InlineData(0.975, 1.9599639845400536)]
    [InlineData(0.025, -1.9599639845400538)]
    [InlineData(0.5, 0)]
    [InlineData(0.9, 1.2815515655446008)]
    [InlineData(1e-10, -6.3613409024040557)]
    [InlineData(0.999999, 4.7534243088170891)]
    [InlineData(0.3, -0.52440051270804067)]
    public void NormalQuantileIsRsQnorm(double p, double expected)
    {
        double x = NormalQuantile.Of(p);
        Assert.True(Math.Abs(x - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"qnorm({p}): {x:R}, R gives {expected:R}");
    }
}

using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

public class LogSumTests
{
    [Fact]
    public void IsTheSumOfEachValuesLog()
    {
        var rng = new Random(7);
        var w = new double[1000];
        for (int i = 0; i < w.Length; i++) w[i] = Math.Exp(40 * (rng.NextDouble() - 0.5));
        // Values a log skips (x <= 0, NaN) and values that take their own (subnormal).
        w[3] = 0;
        w[10] = -1;
        w[11] = double.NaN;
        w[500] = 1e-310;
        w[501] = double.Epsilon;
        foreach (int length in new[] { 0, 1, 63, 64, 65, 1000 })
        {
            double expected = 0;
            for (int i = 0; i < length; i++)
                if (w[i] > 0) expected += PortableMath.Log(w[i]);
            double actual = LogSum.OverPositive(w.AsSpan(0, length));
            Assert.True(Math.Abs(actual - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{length} values: {actual:R} vs {expected:R}");
        }
        Assert.Equal(double.PositiveInfinity, LogSum.OverPositive(new[] { 2.0, double.PositiveInfinity, 0.5 }));
    }
}

using GlmmGpu.LinearAlgebra;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

public class ReproducibleDotTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(4099)]
    public void VectorPathsRoundAsTheScalarLanesDo(int n)
    {
        var (a, b, c) = Draw(n, seed: n);
        Assert.Equal(BitConverter.DoubleToInt64Bits(ReproducibleDot.DotScalar(a, b, c)), BitConverter.DoubleToInt64Bits(ReproducibleDot.Dot(a, b, c)));
    }

    [Fact]
    public void TheResultDoesNotDependOnWhereTheDataLie()
    {
        var (a, b, c) = Draw(1000, seed: 3);
        double expected = ReproducibleDot.Dot(a, b, c);
        for (int shift = 1; shift < 8; shift++)
        {
            // The same numbers at another offset from the array's start, hence another alignment.
            Assert.Equal(expected, ReproducibleDot.Dot(Shifted(a, shift), Shifted(b, shift), Shifted(c, shift)));
        }
    }

    [Fact]
    public void AgreesWithASequentialSum()
    {
        var (a, b, c) = Draw(10_000, seed: 4);
        double sequential = 0, magnitude = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sequential += a[i] * b[i] * c[i];
            magnitude += Math.Abs(a[i] * b[i] * c[i]);
        }
        Assert.True(Math.Abs(ReproducibleDot.Dot(a, b, c) - sequential) <= 1e-13 * magnitude);
    }

    private static ReadOnlySpan<double> Shifted(double[] values, int shift)
    {
        var copy = new double[values.Length + shift];
        values.CopyTo(copy, shift);
        return copy.AsSpan(shift);
    }

    private static (double[], double[], double[]) Draw(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n];
        var b = new double[n];
        var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = rng.NextDouble() - 0.3;
            b[i] = 10 * rng.NextDouble() - 2;
            c[i] = rng.NextDouble() + 0.5;
        }
        return (a, b, c);
    }
}

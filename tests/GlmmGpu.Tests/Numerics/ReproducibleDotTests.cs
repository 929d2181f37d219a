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
        var (a, b) = Draw(n, seed: n);
        Assert.Equal(BitConverter.DoubleToInt64Bits(ReproducibleDot.DotScalar(a, b)), BitConverter.DoubleToInt64Bits(ReproducibleDot.Dot(a, b)));
    }

    [Fact]
    public void TheResultDoesNotDependOnWhereTheDataLie()
    {
        var (a, b) = Draw(1000, seed: 3);
        double expected = ReproducibleDot.Dot(a, b);
        for (int shift = 1; shift < 8; shift++)
        {
            // The same numbers at another offset from the array's start, hence another alignment.
            var a2 = new double[a.Length + shift];
            var b2 = new double[b.Length + shift];
            a.CopyTo(a2, shift);
            b.CopyTo(b2, shift);
            Assert.Equal(expected, ReproducibleDot.Dot(a2.AsSpan(shift), b2.AsSpan(shift)));
        }
    }

    [Fact]
    public void AgreesWithASequentialSum()
    {
        var (a, b) = Draw(10_000, seed: 4);
        double sequential = 0, magnitude = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sequential += a[i] * b[i];
            magnitude += Math.Abs(a[i] * b[i]);
        }
        Assert.True(Math.Abs(ReproducibleDot.Dot(a, b) - sequential) <= 1e-13 * magnitude);
    }

    private static (double[], double[]) Draw(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n];
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = rng.NextDouble() - 0.3;
            b[i] = 10 * rng.NextDouble() - 2;
        }
        return (a, b);
    }
}

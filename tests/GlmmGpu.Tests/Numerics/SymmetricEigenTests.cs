using GlmmGpu.LinearAlgebra;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

/// <summary>The Jacobi eigen-decomposition the separation check takes null spaces from.</summary>
public class SymmetricEigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(12)]
    public void VectorsAreOrthonormalAndSatisfyTheEigenEquation(int n)
    {
        var random = new Random(n);
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i, j] = a[j, i] = random.NextDouble() * 2 - 1;
        var (values, vectors) = SymmetricEigen.Decompose(a);
        for (int k = 0; k < n; k++)
        {
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++) av += a[i, j] * vectors[j, k];
                Assert.True(Math.Abs(av - values[k] * vectors[i, k]) < 1e-12, $"n = {n}, vector {k}, row {i}");
            }
            for (int m = 0; m < n; m++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += vectors[i, k] * vectors[i, m];
                Assert.True(Math.Abs(dot - (k == m ? 1 : 0)) < 1e-12);
            }
        }
    }

    [Fact]
    public void ARankDeficientCrossProductHasAZeroEigenvalueAlongItsNullSpace()
    {
        // Columns (1, 1, 1), (1, 2, 3) and their sum: the null space is (1, 1, -1) / sqrt(3).
        double[][] x = [[1, 1, 2], [1, 2, 3], [1, 3, 4]];
        var g = new double[3, 3];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                for (int i = 0; i < 3; i++) g[a, b] += x[i][a] * x[i][b];
        var (values, vectors) = SymmetricEigen.Decompose(g);
        int k = Array.IndexOf(values, values.MinBy(Math.Abs));
        Assert.True(Math.Abs(values[k]) < 1e-12, $"{values[k]:R}");
        double sign = Math.Sign(vectors[0, k]);
        Assert.Equal(1 / Math.Sqrt(3), sign * vectors[0, k], 12);
        Assert.Equal(1 / Math.Sqrt(3), sign * vectors[1, k], 12);
        Assert.Equal(-1 / Math.Sqrt(3), sign * vectors[2, k], 12);
    }
}

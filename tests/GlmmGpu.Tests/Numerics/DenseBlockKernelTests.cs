using GlmmGpu.LinearAlgebra.Blocked;
using Xunit;

namespace GlmmGpu.Tests.Numerics;

/// <summary>
/// The dense block's tiled algebra: the tile kernel's vector and scalar paths give the same bits; the Cholesky factor,
/// L^-1 and (L L')^-1 agree with unblocked references on sizes that leave every kind of edge tile, and do not depend
/// on the path or the thread count.
/// </summary>
public class DenseBlockKernelTests
{
    private static readonly int[] Sizes = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 130, 200];
    private static readonly TilePath[] VectorPaths = [TilePath.Vector512, TilePath.Vector256];
    private static readonly ParallelOptions OneThread = new() { MaxDegreeOfParallelism = 1 };
    private static readonly ParallelOptions TwoThreads = new() { MaxDegreeOfParallelism = 2 };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(301)]
    public void TileKernelPathsGiveTheSameBits(int depth)
    {
        var random = new Random(depth + 1);
        const int aStride = 11, bStride = 19, cStride = 23;
        var a = Values(random, Math.Max(1, depth) * aStride);
        var b = Values(random, Math.Max(1, depth) * bStride);
        var c = Values(random, 8 * cStride);
        foreach (var update in Enum.GetValues<TileUpdate>())
        {
            var scalar = (double[])c.Clone();
            DenseTileKernel.Apply(ref scalar[0], cStride, ref a[0], aStride, ref b[0], bStride, depth, update, TilePath.Scalar);
            for (int r = 0; r < 8; r++)
                for (int j = 0; j < 16; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < depth; k++) sum = Math.FusedMultiplyAdd(a[k * aStride + r], b[k * bStride + j], sum);
                    double expected = update switch { TileUpdate.Subtract => c[r * cStride + j] - sum, TileUpdate.Negate => -sum, _ => sum };
                    Assert.Equal(expected, scalar[r * cStride + j]);
                }
            foreach (var path in VectorPaths.Where(DenseTileKernel.IsAvailable))
            {
                var vector = (double[])c.Clone();
                DenseTileKernel.Apply(ref vector[0], cStride, ref a[0], aStride, ref b[0], bStride, depth, update, path);
                Assert.Equal(Bits(scalar), Bits(vector));
            }
        }
    }

    [Fact]
    public void EdgeTilesWriteTheFullTilesEntriesAndNoOthers()
    {
        var random = new Random(5);
        const int depth = 37, stride = 24;
        var a = Values(random, depth * stride);
        var b = Values(random, depth * stride);
        var c = Values(random, 8 * stride);
        var full = (double[])c.Clone();
        DenseTileKernel.Apply(ref full[0], stride, ref a[0], stride, ref b[0], stride, depth, TileUpdate.Subtract);
        foreach (var (rows, columns, diagonal) in new[] { (8, 16, 0), (3, 16, int.MaxValue), (8, 5, 2), (1, 1, int.MaxValue), (5, 9, -1) })
        {
            var edge = (double[])c.Clone();
            DenseTileKernel.ApplyEdge(ref edge[0], stride, ref a[0], stride, rows, ref b[0], stride, columns, depth, TileUpdate.Subtract, diagonal);
            for (int r = 0; r < 8; r++)
                for (int j = 0; j < stride; j++)
                {
                    bool written = r < rows && j < columns && j <= (long)r + diagonal;
                    Assert.Equal(BitConverter.DoubleToInt64Bits(written ? full[r * stride + j] : c[r * stride + j]), BitConverter.DoubleToInt64Bits(edge[r * stride + j]));
                }
        }
    }

    [Fact]
    public void CholeskyMatchesTheUnblockedFactorAndLeavesTheUpperTriangle()
    {
        foreach (int n in Sizes)
        {
            var a = Positive(n);
            var expected = UnblockedCholesky(a, n);
            var l = WithUpperNaN(a, n);
            Assert.True(DenseLower.Cholesky(l, n, TwoThreads));
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++) AssertClose(expected[i * n + j], l[i * n + j], Math.Sqrt(a[i * n + i]), $"n {n} L({i}, {j})");
                for (int j = i + 1; j < n; j++) Assert.True(double.IsNaN(l[i * n + j]), $"n {n}: the upper triangle was written at ({i}, {j})");
            }
        }
    }

    [Fact]
    public void InversesMatchTheUnblockedOnes()
    {
        foreach (int n in Sizes)
        {
            var a = Positive(n);
            var l = UnblockedCholesky(a, n);
            var w = DenseInverse.InverseLower(l, n, TwoThreads);
            var expectedW = UnblockedInverseLower(l, n);
            double scale = 0;
            foreach (double v in expectedW) scale = Math.Max(scale, Math.Abs(v));
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    AssertClose(j <= i ? expectedW[i * n + j] : 0.0, w[i * n + j], scale, $"n {n} W({i}, {j})");
            var inverse = DenseInverse.FromCholesky(l, n, TwoThreads);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int k = Math.Max(i, j); k < n; k++) s += expectedW[k * n + i] * expectedW[k * n + j];
                    AssertClose(s, inverse[i * n + j], scale * scale, $"n {n} A^-1({i}, {j})");
                    Assert.Equal(inverse[i * n + j], inverse[j * n + i]);
                }
        }
    }

    [Fact]
    public void FactorAndInverseDoNotDependOnThreadsOrPath()
    {
        foreach (int n in new[] { 17, 130, 333 })
        {
            var a = Positive(n);
            var reference = Factor(a, n, OneThread, TilePath.Scalar);
            var referenceInverse = DenseInverse.FromCholesky(reference, n, OneThread, TilePath.Scalar);
            foreach (var path in VectorPaths.Where(DenseTileKernel.IsAvailable).Append(TilePath.Best))
                foreach (var parallel in new[] { OneThread, TwoThreads, new ParallelOptions() })
                {
                    var l = Factor(a, n, parallel, path);
                    Assert.Equal(Bits(reference), Bits(l));
                    Assert.Equal(Bits(referenceInverse), Bits(DenseInverse.FromCholesky(l, n, parallel, path)));
                }
        }
    }

    [Fact]
    public void InverseIntoStorageOverwritesAnEarlierOne()
    {
        const int n = 70;
        var first = UnblockedCholesky(Positive(n), n);
        var second = UnblockedCholesky(Positive(n, seed: 9), n);
        var w = new double[n * n];
        var result = new double[n * n];
        DenseInverse.FromCholesky(first, n, w, result, TwoThreads);
        DenseInverse.FromCholesky(second, n, w, result, TwoThreads);
        Assert.Equal(Bits(DenseInverse.FromCholesky(second, n, TwoThreads)), Bits(result));
    }

    [Fact]
    public void CholeskyRefusesAMatrixThatIsNotPositiveDefinite()
    {
        foreach (int n in new[] { 3, 70, 130 })
        {
            var a = Positive(n);
            a[(n - 2) * n + n - 2] = -1;
            Assert.False(DenseLower.Cholesky(a, n, TwoThreads));
        }
    }

    private static double[] Factor(double[] a, int n, ParallelOptions parallel, TilePath path)
    {
        var l = (double[])a.Clone();
        Assert.True(DenseLower.Cholesky(l, n, parallel, path));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) l[i * n + j] = 0;
        return l;
    }

    /// <summary>M M' / (n + 3) + I/2 for M n by (n + 3) in (-1, 1): well conditioned, with both triangles.</summary>
    private static double[] Positive(int n, int seed = 1)
    {
        var random = new Random(seed + n);
        int width = n + 3;
        var m = Values(random, n * width);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = i == j ? 0.5 : 0;
                for (int k = 0; k < width; k++) s += m[i * width + k] * m[j * width + k] / width;
                a[i * n + j] = a[j * n + i] = s;
            }
        return a;
    }

    private static double[] WithUpperNaN(double[] a, int n)
    {
        var copy = (double[])a.Clone();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) copy[i * n + j] = double.NaN;
        return copy;
    }

    private static double[] UnblockedCholesky(double[] a, int n)
    {
        var l = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
            l[j * n + j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = s / l[j * n + j];
            }
        }
        return l;
    }

    private static double[] UnblockedInverseLower(double[] l, int n)
    {
        var w = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            w[j * n + j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
            {
                double s = 0;
                for (int k = j; k < i; k++) s += l[i * n + k] * w[k * n + j];
                w[i * n + j] = -s / l[i * n + i];
            }
        }
        return w;
    }

    private static void AssertClose(double expected, double actual, double scale, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * scale, $"{what}: {actual} against {expected}");

    private static double[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => 2 * random.NextDouble() - 1).ToArray();

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}

using GlmmGpu.LinearAlgebra.Blocked;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Crossed;

/// <summary>
/// BlockedCrossProducts.Fill against the products summed row by row in data order, and the same bits with one thread,
/// two and the default: three terms (an intercept and slope on 40 levels, an intercept on 15, a correlated pair on 7),
/// random weights with some zeros.
/// </summary>
public class BlockedCrossProductsTests
{
    private const int N = 500, P = 2;

    [Fact]
    public void FillIsTheRowSumsAndTheSameBitsAtAnyThreadCount()
    {
        var random = new Random(23);
        var terms = new[] { Term(random, 2, 40), Term(random, 1, 15), Term(random, 2, 7) };
        var x = new double[N * P];
        var y = new double[N];
        var w = new double[N];
        for (int i = 0; i < N; i++)
        {
            x[i] = 1;
            x[N + i] = random.NextDouble() * 2 - 1;
            y[i] = random.NextDouble() * 3;
            w[i] = i % 37 == 0 ? 0 : 0.5 + random.NextDouble();
        }
        var pattern = new BlockedPattern(terms);
        var serial = new BlockedCrossProducts(pattern, P);
        serial.Fill(w, x, y);
        foreach (var parallel in new[] { new ParallelOptions { MaxDegreeOfParallelism = 1 }, new ParallelOptions { MaxDegreeOfParallelism = 2 }, new ParallelOptions() })
        {
            var products = new BlockedCrossProducts(pattern, P);
            products.Fill(w, x, y, parallel);
            products.Fill(w, x, y, parallel);
            Assert.Equal(serial.FirstDiagonal, products.FirstDiagonal);
            Assert.Equal(serial.Sparse, products.Sparse);
            Assert.Equal(serial.Dense, products.Dense);
            Assert.Equal(serial.FirstByColumn, products.FirstByColumn);
            Assert.Equal(serial.RestByColumn, products.RestByColumn);
            Assert.Equal(serial.ColumnsByColumn, products.ColumnsByColumn);
            Assert.Equal(serial.SumLogWeights, products.SumLogWeights);
        }

        // The dense block and [X y]'W[X y], formed entry by entry.
        int m = pattern.RestSize;
        var dense = new double[m * m];
        var columns = new double[(P + 1) * (P + 1)];
        double sumLog = 0;
        for (int i = 0; i < N; i++)
        {
            if (w[i] == 0) continue;
            sumLog += Math.Log(w[i]);
            for (int k = 1; k < terms.Length; k++)
                for (int k2 = 1; k2 < terms.Length; k2++)
                    for (int d = 0; d < terms[k].Q; d++)
                        for (int e = 0; e < terms[k2].Q; e++)
                        {
                            int r = pattern.RestOffset[k] + terms[k].LevelOfRow[i] * terms[k].Q + d;
                            int c = pattern.RestOffset[k2] + terms[k2].LevelOfRow[i] * terms[k2].Q + e;
                            dense[r * m + c] += w[i] * terms[k].Z[d * N + i] * terms[k2].Z[e * N + i];
                        }
            for (int a = 0; a <= P; a++)
                for (int b = 0; b <= P; b++)
                    columns[a * (P + 1) + b] += w[i] * (a < P ? x[a * N + i] : y[i]) * (b < P ? x[b * N + i] : y[i]);
        }
        for (int at = 0; at < dense.Length; at++) Assert.Equal(dense[at], serial.Dense[at], 12);
        for (int at = 0; at < columns.Length; at++) Assert.Equal(columns[at], serial.ColumnsByColumn[at], 12);
        Assert.Equal(sumLog, serial.SumLogWeights, 12);
    }

    private static BlockedTerm Term(Random random, int q, int levels)
    {
        var z = new double[N * q];
        var level = new int[N];
        for (int i = 0; i < N; i++)
        {
            level[i] = random.Next(levels);
            z[i] = 1;
            for (int d = 1; d < q; d++) z[d * N + i] = random.NextDouble() * 2 - 1;
        }
        return new BlockedTerm(q, levels, z, level);
    }
}

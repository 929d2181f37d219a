using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.LinearAlgebra.Blocked;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Crossed;

/// <summary>
/// The blocked Cholesky against the same system formed and factored densely: three terms (an intercept and slope on
/// 40 levels, an intercept on 15, a correlated pair on 7), random weights, a Lambda per term.
/// </summary>
public class BlockedCholeskyTests
{
    private const int N = 300, P = 2;

    [Fact]
    public void LogDeterminantSchurModesAndInverseBlocksMatchTheDenseSystem()
    {
        var random = new Random(17);
        var terms = new[] { Term(random, 2, 40), Term(random, 1, 15), Term(random, 2, 7) };
        var lambda = new[] { Lower(0.8, 0.3, 0.5), new Mat3 { A00 = 1.3 }, Lower(0.4, -0.2, 0.9) };
        var x = new double[N * P];
        var y = new double[N];
        var w = new double[N];
        for (int i = 0; i < N; i++)
        {
            x[i] = 1;
            x[N + i] = random.NextDouble() * 2 - 1;
            y[i] = random.NextDouble() * 3;
            w[i] = 0.5 + random.NextDouble();
        }
        var pattern = new BlockedPattern(terms);
        var products = new BlockedCrossProducts(pattern, P);
        products.Fill(w, x, y);
        var factor = new BlockedCholesky(pattern, P + 1, new ParallelOptions());
        Assert.True(factor.Factor(products, lambda));

        // Dense: the columns of Z Lambda (term by term, level by level), then A = (Z Lambda)'W(Z Lambda) + I.
        int q = terms.Sum(t => t.Size);
        var zl = new double[N, q];
        int offset = 0;
        for (int k = 0; k < terms.Length; k++)
        {
            for (int i = 0; i < N; i++)
                for (int d = 0; d < terms[k].Q; d++)
                    for (int e = 0; e < terms[k].Q; e++)
                        zl[i, offset + terms[k].LevelOfRow[i] * terms[k].Q + d] += terms[k].Z[e * N + i] * lambda[k][e, d];
            offset += terms[k].Size;
        }
        var a = new double[q, q];
        var c = new double[q, P + 1];
        for (int i = 0; i < N; i++)
            for (int r = 0; r < q; r++)
            {
                if (zl[i, r] == 0) continue;
                for (int s = 0; s < q; s++) a[r, s] += w[i] * zl[i, r] * zl[i, s];
                for (int col = 0; col <= P; col++) c[r, col] += w[i] * zl[i, r] * (col < P ? x[col * N + i] : y[i]);
            }
        for (int r = 0; r < q; r++) a[r, r] += 1;
        var l = Dense.Cholesky(a)!;
        double logDet = 0;
        for (int r = 0; r < q; r++) logDet += 2 * Math.Log(l[r, r]);
        Assert.Equal(logDet, factor.LogDeterminant, 9);

        var inverse = Dense.InverseSpd(a)!;
        for (int col = 0; col <= P; col++)
            for (int col2 = 0; col2 <= P; col2++)
            {
                double s = 0;
                for (int i = 0; i < N; i++) s += w[i] * (col < P ? x[col * N + i] : y[i]) * (col2 < P ? x[col2 * N + i] : y[i]);
                for (int r = 0; r < q; r++)
                    for (int t = 0; t < q; t++) s -= c[r, col] * inverse[r, t] * c[t, col2];
                Assert.Equal(s, factor.Schur[col * (P + 1) + col2], 8);
            }

        var beta = new[] { 0.7, -0.4 };
        var u = factor.Modes(beta);
        for (int r = 0; r < q; r++)
        {
            double expected = 0;
            for (int t = 0; t < q; t++) expected += inverse[r, t] * (c[t, P] - c[t, 0] * beta[0] - c[t, 1] * beta[1]);
            Assert.Equal(expected, u[r], 10);
        }

        var blocks = factor.InverseDiagonalBlocks();
        offset = 0;
        for (int k = 0; k < terms.Length; k++)
        {
            for (int level = 0; level < terms[k].Levels; level++)
                for (int d = 0; d < terms[k].Q; d++)
                    for (int e = 0; e < terms[k].Q; e++)
                        Assert.Equal(inverse[offset + level * terms[k].Q + d, offset + level * terms[k].Q + e], blocks[k][level][d, e], 10);
            offset += terms[k].Size;
        }

        // The selected inverse: the dense block in full, the slots and the first term's blocks.
        var selected = new SelectedInverse(factor, pattern, new ParallelOptions { MaxDegreeOfParallelism = 2 });
        int first = pattern.FirstSize, q0 = pattern.Q0, m = pattern.RestSize;
        for (int r = 0; r < m; r++)
            for (int t = 0; t < m; t++) Assert.Equal(inverse[first + r, first + t], selected.Rest[r * m + t], 10);
        for (int j = 0; j < pattern.Levels0; j++)
        {
            for (int d = 0; d < q0; d++)
                for (int e = 0; e < q0; e++) Assert.Equal(inverse[j * q0 + d, j * q0 + e], selected.First[j][d, e], 10);
            for (int slot = pattern.ColumnStart[j]; slot < pattern.ColumnStart[j + 1]; slot++)
                for (int d = 0; d < q0; d++) Assert.Equal(inverse[first + pattern.SlotRow[slot], j * q0 + d], selected.Sparse[slot * q0 + d], 10);
        }

        // Forward then back solve is A^-1 b.
        var b = Enumerable.Range(0, q).Select(i => Math.Sin(i + 1.0)).ToArray();
        var solved = (double[])b.Clone();
        factor.ForwardSolve(solved);
        factor.BackSolve(solved);
        for (int r = 0; r < q; r++)
        {
            double expected = 0;
            for (int t = 0; t < q; t++) expected += inverse[r, t] * b[t];
            Assert.Equal(expected, solved[r], 10);
        }

        // The same bits at one thread and at several (the fill is split in bands of rows, each in level order).
        var single = new BlockedCholesky(pattern, P + 1, new ParallelOptions { MaxDegreeOfParallelism = 1 });
        var several = new BlockedCholesky(pattern, P + 1, new ParallelOptions { MaxDegreeOfParallelism = 7 });
        Assert.True(single.Factor(products, lambda) && several.Factor(products, lambda));
        Assert.Equal(single.Rest, several.Rest);
        Assert.Equal(single.Schur, several.Schur);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(150)]
    public void TiledCholeskyAndInverseMatchTheUnblockedOnes(int n)
    {
        var random = new Random(n);
        var m = new double[n, n + 3];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n + 3; j++) m[i, j] = random.NextDouble() - 0.5;
        var a = new double[n, n];
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? 0.1 : 0;
                for (int k = 0; k < n + 3; k++) s += m[i, k] * m[j, k];
                a[i, j] = s;
                flat[i * n + j] = s;
            }
        var l = Dense.Cholesky(a)!;
        Assert.True(DenseLower.Cholesky(flat, n, new ParallelOptions { MaxDegreeOfParallelism = 2 }));
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) Assert.Equal(l[i, j], flat[i * n + j], 10);
        var inverse = DenseInverse.InverseLower(flat, n, new ParallelOptions { MaxDegreeOfParallelism = 2 });
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = j; k <= i; k++) s += flat[i * n + k] * inverse[k * n + j];
                Assert.Equal(i == j ? 1.0 : 0.0, s, 9);
            }
        // (L L')^-1 against the dense inverse of A, both triangles.
        var spdInverse = Dense.InverseSpd(a)!;
        var fromFactor = DenseInverse.FromCholesky(flat, n, new ParallelOptions { MaxDegreeOfParallelism = 2 });
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(fromFactor[i * n + j] - spdInverse[i, j]) <= 1e-9 * Math.Max(1, Math.Abs(spdInverse[i, j])), $"({i}, {j})");
        var notPositive = (double[])flat.Clone();
        Array.Clear(notPositive);
        if (n > 1) Assert.False(DenseLower.Cholesky(notPositive, n, new ParallelOptions()));
    }

    private static BlockedTerm Term(Random random, int q, int levels)
    {
        var z = new double[q * N];
        var codes = new int[N];
        for (int i = 0; i < N; i++)
        {
            codes[i] = random.Next(levels);
            z[i] = 1;
            for (int d = 1; d < q; d++) z[d * N + i] = random.NextDouble() * 2 - 1;
        }
        return new BlockedTerm(q, levels, z, codes);
    }

    private static Mat3 Lower(double a00, double a10, double a11) => new() { A00 = a00, A10 = a10, A11 = a11 };
}

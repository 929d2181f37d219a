using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The blocked Cholesky factor of the penalised system at one relative covariance factor Lambda (MixedModels.jl's
/// <c>updateL!</c>): with A = Lambda'Z'WZ Lambda + I over the terms,
/// <code>
///   [ A00       .         .    ]   [ L00  .    .  ] [ L00  .    .  ]'
///   [ A_r0      A_rr      .    ] = [ L_r0 L_rr .  ] [ L_r0 L_rr .  ]
///   [ X'WZ0L0   X'WZrLr   X'WX ]   [ Lx0  Lxr  RX ] [ Lx0  Lxr  RX ]
/// </code>
/// L00 is block diagonal (one q0-by-q0 factor per level of the first term), L_r0 keeps A_r0's sparsity, L_rr is
/// dense and RX'RX, over the augmented columns [X y], is the Schur complement that profiles the fixed effects out.
/// </summary>
public sealed class BlockedCholesky
{
    private readonly BlockedPattern pattern;
    private readonly int[] termOfRestRow;
    private readonly int[] effectOfRestRow;
    private readonly ParallelOptions parallel;

    /// <summary>Each level's factor of the first term's diagonal block.</summary>
    public Mat3[] First { get; }
    /// <summary>L_r0 by slot, as <see cref="BlockedCrossProducts.Sparse"/>.</summary>
    public double[] Sparse { get; }
    /// <summary>L_rr, lower triangle, row-major (the upper triangle holds no meaning).</summary>
    public double[] Rest { get; }
    /// <summary>The augmented columns' rows of L over the first term, (j q0 + d) by column.</summary>
    public double[] FirstByColumn { get; }
    /// <summary>The augmented columns' rows of L over the dense block, row by column.</summary>
    public double[] RestByColumn { get; }
    /// <summary>The Schur complement [X y]'W[X y] - Lx'Lx, row-major.</summary>
    public double[] Schur { get; }
    /// <summary>log |Lambda'Z'WZ Lambda + I|.</summary>
    public double LogDeterminant { get; private set; }
    public int Augmented { get; }

    public BlockedCholesky(BlockedPattern pattern, int augmented, ParallelOptions parallel)
    {
        this.pattern = pattern;
        this.parallel = parallel;
        Augmented = augmented;
        int m = pattern.RestSize;
        termOfRestRow = new int[m];
        effectOfRestRow = new int[m];
        for (int k = 1; k < pattern.Terms.Count; k++)
            for (int r = 0; r < pattern.Terms[k].Size; r++)
            {
                termOfRestRow[pattern.RestOffset[k] + r] = k;
                effectOfRestRow[pattern.RestOffset[k] + r] = r % pattern.Terms[k].Q;
            }
        First = new Mat3[pattern.Levels0];
        Sparse = new double[(long)pattern.SlotCount * pattern.Q0];
        Rest = new double[(long)m * m];
        FirstByColumn = new double[(long)pattern.FirstSize * augmented];
        RestByColumn = new double[(long)m * augmented];
        Schur = new double[augmented * augmented];
    }

    /// <summary>Factors the system at <paramref name="lambda"/> (one factor per term, in the pattern's order); false
    /// where a block is not positive definite (only in rounding: A is I plus a positive semi-definite matrix).</summary>
    public bool Factor(BlockedCrossProducts products, IReadOnlyList<Mat3> lambda)
    {
        int q0 = pattern.Q0, m = pattern.RestSize, pa = Augmented;
        var lambda0 = lambda[0];
        // The first term: one small block per level, and the sparse block and the columns' rows beside it; levels are
        // independent, and their log-determinants are summed in level order.
        var levelLogDet = new double[pattern.Levels0];
        int failed = 0;
        Parallel.For(0, pattern.Levels0, parallel, j =>
        {
            if (!FactorFirstLevel(j, products, lambda, out levelLogDet[j])) Interlocked.Exchange(ref failed, 1);
        });
        if (failed != 0) return false;
        double logDet = 0;
        foreach (var v in levelLogDet) logDet += v;

        // The dense block: Lambda_r' D Lambda_r + I less L_r0 L_r0', then factored.
        ScaleDense(products.Dense, lambda);
        for (int r = 0; r < m; r++) Rest[(long)r * m + r] += 1.0;
        SubtractFill();
        if (!DenseLower.Cholesky(Rest, m, parallel)) return false;
        logDet += DenseLower.LogDeterminant(Rest, m);
        LogDeterminant = logDet;

        // The columns' rows over the dense block: (Lambda_r' Z_r'W[X y] - L_r0 Lx0) solved against L_rr.
        for (int r = 0; r < m; r++)
        {
            int k = termOfRestRow[r], d = effectOfRestRow[r], qk = pattern.Terms[k].Q, level0 = r - d;
            for (int a = 0; a < pa; a++)
            {
                double v = 0;
                for (int e = 0; e < qk; e++) v += lambda[k][e, d] * products.RestByColumn[(long)(level0 + e) * pa + a];
                RestByColumn[(long)r * pa + a] = v;
            }
        }
        for (int j = 0; j < pattern.Levels0; j++)
            for (int s = pattern.ColumnStart[j]; s < pattern.ColumnStart[j + 1]; s++)
            {
                long row = (long)pattern.SlotRow[s] * pa;
                for (int a = 0; a < pa; a++)
                {
                    double v = 0;
                    for (int f = 0; f < q0; f++) v += Sparse[(long)s * q0 + f] * FirstByColumn[((long)j * q0 + f) * pa + a];
                    RestByColumn[row + a] -= v;
                }
            }
        DenseLower.SolveLower(Rest, m, RestByColumn, pa);
        for (int a = 0; a < pa; a++)
            for (int b = 0; b <= a; b++)
            {
                double v = products.ColumnsByColumn[a * pa + b];
                for (int r = 0; r < pattern.FirstSize; r++) v -= FirstByColumn[(long)r * pa + a] * FirstByColumn[(long)r * pa + b];
                for (int r = 0; r < m; r++) v -= RestByColumn[(long)r * pa + a] * RestByColumn[(long)r * pa + b];
                Schur[a * pa + b] = Schur[b * pa + a] = v;
            }
        return true;
    }

    /// <summary>Level j of the first term: its block's factor, its slots of L_r0 and its rows of the columns.</summary>
    private bool FactorFirstLevel(int j, BlockedCrossProducts products, IReadOnlyList<Mat3> lambda, out double logDet)
    {
        int q0 = pattern.Q0, pa = Augmented;
        var lambda0 = lambda[0];
        logDet = 0;
        var block = default(Mat3);
        long at = (long)j * q0 * q0;
        for (int d = 0; d < q0; d++)
            for (int e = 0; e < q0; e++) block[d, e] = products.FirstDiagonal[at + d * q0 + e];
        var a = SmallLinearAlgebra.AddIdentity(SmallLinearAlgebra.Congruence(lambda0, block, q0), q0);
        if (!SmallLinearAlgebra.Cholesky(a, q0, out var l)) return false;
        First[j] = l;
        for (int d = 0; d < q0; d++) logDet += 2 * Math.Log(l[d, d]);
        for (int s = pattern.ColumnStart[j]; s < pattern.ColumnStart[j + 1];)
        {
            int k = termOfRestRow[pattern.SlotRow[s]], qk = pattern.Terms[k].Q;
            var lambdaK = lambda[k];
            for (int d = 0; d < qk; d++)
            {
                // Row d of Lambda_k' C Lambda_0 for this level's q_k slots, then solved against L_j'.
                var row = default(Vec3);
                for (int e = 0; e < qk; e++)
                {
                    double le = lambdaK[e, d];
                    if (le == 0) continue;
                    for (int f = 0; f < q0; f++) row[f] += le * products.Sparse[(long)(s + e) * q0 + f];
                }
                var scaled = SmallLinearAlgebra.MultiplyTransposed(lambda0, q0, row);
                var solved = SmallLinearAlgebra.SolveLower(l, q0, scaled);
                for (int f = 0; f < q0; f++) Sparse[(long)(s + d) * q0 + f] = solved[f];
            }
            s += qk;
        }
        for (int a2 = 0; a2 < pa; a2++)
        {
            var column = default(Vec3);
            for (int d = 0; d < q0; d++) column[d] = products.FirstByColumn[((long)j * q0 + d) * pa + a2];
            var solved = SmallLinearAlgebra.SolveLower(l, q0, SmallLinearAlgebra.MultiplyTransposed(lambda0, q0, column));
            for (int d = 0; d < q0; d++) FirstByColumn[((long)j * q0 + d) * pa + a2] = solved[d];
        }
        return true;
    }

    /// <summary>
    /// Rest -= L_r0 L_r0': each level's slots against each other. The dense rows are split in bands of about equal work
    /// (row r takes about r updates), each band's rows updated by one thread in level order, so the result is the same
    /// at any thread count.
    /// </summary>
    private void SubtractFill()
    {
        int m = pattern.RestSize, q0 = pattern.Q0;
        int bands = Math.Max(1, Math.Min(m, 8 * Math.Max(1, parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount)));
        var bandStart = new int[bands + 1];
        for (int b = 0; b <= bands; b++) bandStart[b] = (int)Math.Round(m * Math.Sqrt((double)b / bands));
        Parallel.For(0, bands, parallel, b =>
        {
            int low = bandStart[b], high = bandStart[b + 1];
            if (low >= high) return;
            for (int j = 0; j < pattern.Levels0; j++)
            {
                int start = pattern.ColumnStart[j], end = pattern.ColumnStart[j + 1];
                for (int s = start; s < end; s++)
                {
                    int rowIndex = pattern.SlotRow[s];
                    if (rowIndex < low) continue;
                    if (rowIndex >= high) break;
                    long row = (long)rowIndex * m;
                    switch (q0)
                    {
                        case 1:
                        {
                            double ls = Sparse[s];
                            for (int t = start; t <= s; t++) Rest[row + pattern.SlotRow[t]] -= ls * Sparse[t];
                            break;
                        }
                        case 2:
                        {
                            double l0 = Sparse[2L * s], l1 = Sparse[2L * s + 1];
                            for (int t = start; t <= s; t++) Rest[row + pattern.SlotRow[t]] -= l0 * Sparse[2L * t] + l1 * Sparse[2L * t + 1];
                            break;
                        }
                        default:
                            for (int t = start; t <= s; t++)
                            {
                                double dot = 0;
                                for (int f = 0; f < q0; f++) dot += Sparse[(long)s * q0 + f] * Sparse[(long)t * q0 + f];
                                Rest[row + pattern.SlotRow[t]] -= dot;
                            }
                            break;
                    }
                }
            }
        });
    }

    /// <summary>Rest = Lambda_r' D Lambda_r, Lambda_r block diagonal (Lambda_k for each level of each later term).</summary>
    private void ScaleDense(double[] dense, IReadOnlyList<Mat3> lambda)
    {
        int m = pattern.RestSize;
        bool scalar = true;
        for (int k = 1; k < pattern.Terms.Count; k++) scalar &= pattern.Terms[k].Q == 1;
        if (scalar)
        {
            var scale = new double[m];
            for (int r = 0; r < m; r++) scale[r] = lambda[termOfRestRow[r]][0, 0];
            Parallel.For(0, m, parallel, r =>
            {
                long row = (long)r * m;
                double sr = scale[r];
                for (int c = 0; c <= r; c++) Rest[row + c] = sr * dense[row + c] * scale[c];
            });
            return;
        }
        // D Lambda_r (columns mixed within each level), then Lambda_r' times that (rows mixed).
        var right = new double[(long)m * m];
        Parallel.For(0, m, parallel, r =>
        {
            long row = (long)r * m;
            for (int c = 0; c < m; c++)
            {
                int k = termOfRestRow[c], d = effectOfRestRow[c], first = c - d;
                double v = 0;
                for (int f = 0; f < pattern.Terms[k].Q; f++) v += dense[row + first + f] * lambda[k][f, d];
                right[row + c] = v;
            }
        });
        Parallel.For(0, m, parallel, r =>
        {
            int k = termOfRestRow[r], d = effectOfRestRow[r], first = r - d;
            long row = (long)r * m;
            for (int c = 0; c <= r; c++)
            {
                double v = 0;
                for (int e = 0; e < pattern.Terms[k].Q; e++) v += lambda[k][e, d] * right[(long)(first + e) * m + c];
                Rest[row + c] = v;
            }
        });
    }

    /// <summary>
    /// u = L^-T c for the forward-solved right-hand side c = Lx[:, p] - Lx[:, 0..p) beta (the first term's part first,
    /// then the dense block's): the spherical random effects at beta.
    /// </summary>
    public double[] Modes(ReadOnlySpan<double> beta)
    {
        int p = Augmented - 1;
        var combination = new double[Augmented];
        for (int a = 0; a < p; a++) combination[a] = -beta[a];
        combination[p] = 1.0;
        return SolveTransposed(combination);
    }

    /// <summary>L^-T (Lx c): the back-solve of a combination c of the augmented columns' forward-solved rows; with
    /// c = e_a it is (Lambda'Z'WZ Lambda + I)^-1 Lambda'Z'W x_a.</summary>
    public double[] SolveTransposed(ReadOnlySpan<double> combination)
    {
        int q0 = pattern.Q0, m = pattern.RestSize, pa = Augmented, first = pattern.FirstSize;
        var u = new double[first + m];
        for (int r = 0; r < first; r++)
        {
            double v = 0;
            for (int a = 0; a < pa; a++) v += FirstByColumn[(long)r * pa + a] * combination[a];
            u[r] = v;
        }
        for (int r = 0; r < m; r++)
        {
            double v = 0;
            for (int a = 0; a < pa; a++) v += RestByColumn[(long)r * pa + a] * combination[a];
            u[first + r] = v;
        }
        BackSolve(u);
        return u;
    }

    /// <summary>Solves L y = b in place, b in the layout of u (the first term's levels, then the dense block).</summary>
    public void ForwardSolve(Span<double> b)
    {
        int q0 = pattern.Q0, m = pattern.RestSize, first = pattern.FirstSize;
        var rest = b.Slice(first, m);
        for (int j = 0; j < pattern.Levels0; j++)
        {
            var v = default(Vec3);
            for (int d = 0; d < q0; d++) v[d] = b[j * q0 + d];
            var solved = SmallLinearAlgebra.SolveLower(First[j], q0, v);
            for (int d = 0; d < q0; d++) b[j * q0 + d] = solved[d];
            for (int s = pattern.ColumnStart[j]; s < pattern.ColumnStart[j + 1]; s++)
            {
                double sum = 0;
                for (int d = 0; d < q0; d++) sum += Sparse[(long)s * q0 + d] * solved[d];
                rest[pattern.SlotRow[s]] -= sum;
            }
        }
        for (int i = 0; i < m; i++)
        {
            long row = (long)i * m;
            double sum = rest[i];
            for (int k = 0; k < i; k++) sum -= Rest[row + k] * rest[k];
            rest[i] = sum / Rest[row + i];
        }
    }

    /// <summary>Solves L' x = y in place, y in the layout of u.</summary>
    public void BackSolve(Span<double> u)
    {
        int q0 = pattern.Q0, m = pattern.RestSize, first = pattern.FirstSize;
        var rest = u.Slice(first, m);
        DenseLower.SolveLowerTransposed(Rest, m, rest);
        for (int j = 0; j < pattern.Levels0; j++)
        {
            var v = default(Vec3);
            for (int d = 0; d < q0; d++) v[d] = u[j * q0 + d];
            for (int s = pattern.ColumnStart[j]; s < pattern.ColumnStart[j + 1]; s++)
            {
                double us = rest[pattern.SlotRow[s]];
                for (int d = 0; d < q0; d++) v[d] -= Sparse[(long)s * q0 + d] * us;
            }
            var solved = SmallLinearAlgebra.SolveLowerTransposed(First[j], q0, v);
            for (int d = 0; d < q0; d++) u[j * q0 + d] = solved[d];
        }
    }

    /// <summary>
    /// The q_k-by-q_k diagonal blocks of (L L')^-1, one per level of every term (in the pattern's order): the
    /// conditional covariance of the spherical effects, up to the residual variance; from the selected inverse.
    /// </summary>
    public Mat3[][] InverseDiagonalBlocks() => new SelectedInverse(this, pattern, parallel).DiagonalBlocks();
}

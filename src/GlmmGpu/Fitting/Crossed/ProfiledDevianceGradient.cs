using GlmmGpu.Engines.Cpu;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// The exact gradient in theta of lme4's profiled deviance (ML, REML, or PQL's with the scale held at 1) with several grouping factors, from the factor
/// at theta, its inverse's diagonal blocks and one pass over the rows; it stands in for the 1 + |theta| (forward) or
/// 1 + 2|theta| (central) factorisations a differenced gradient takes.
/// <para>With A = Lambda'Z'WZ Lambda + I, r2 the penalised residual sum of squares and S = RX'RX, for theta_i the
/// entry (r, c) of term k's factor T_k:</para>
/// <list type="bullet">
/// <item>d log|A| from <see cref="LogDeterminantSlope"/> (it needs every T_k invertible).</item>
/// <item>d r2 = -2 sum_l g_l[r] u_l[c] (envelope theorem), g = Z'W(y - X beta - Z Lambda u), u the spherical modes.</item>
/// <item>d log|S| = -2 tr(S^-1 H'Lambda_i M) with M = A^-1 Lambda'Z'WX and H = Z'W(X - Z Lambda M) (REML only).</item>
/// </list>
/// </summary>
internal static class ProfiledDevianceGradient
{
    /// <summary>Writes the gradient; false where some T_k is (near) singular and the closed form does not apply.</summary>
    public static bool TryCompute(ModelFrame frame, CrossedTerms terms, BlockedCholesky factor, IReadOnlyList<Mat3> lambda,
        ProfiledDeviance.Profiled profiled, LmmCriterion criterion, double[] weights, double[] response, ParallelOptions parallel, Span<double> gradient)
    {
        if (!LogDeterminantSlope.TryInverseFactors(terms, lambda, out var inverseFactors)) return false;
        int p = frame.P;
        bool reml = criterion == LmmCriterion.Reml;
        var beta = profiled.Beta;
        var u = factor.Modes(beta);
        // M's columns (spherical), one back-solve per fixed effect.
        var m = new double[reml ? p : 0][];
        for (int a = 0; a < m.Length; a++)
        {
            var unit = new double[p + 1];
            unit[a] = 1.0;
            m[a] = factor.SolveTransposed(unit);
        }
        var residualScores = RowScores(frame, terms, weights, response, lambda, beta, u, m, parallel, out var columnScores);

        var selected = new SelectedInverse(factor, terms.Pattern, parallel, withSparse: false);
        var schurInverse = reml ? Dense.InverseSpd(profiled.Schur) : null;
        if (reml && schurInverse is null) return false;
        int n = frame.RowCount;
        // The criterion's derivative in r2: n log r2 (ML), (n - p) log r2 (REML), or r2 itself (PQL's unit scale).
        double rssScale = criterion switch { LmmCriterion.Ml => n / profiled.Rss, LmmCriterion.Reml => (n - p) / profiled.Rss, _ => 1.0 };
        var logDetSlope = LogDeterminantSlope.Compute(terms, inverseFactors, selected);
        for (int k = 0; k < terms.Blocks.Length; k++)
        {
            var block = terms.Blocks[k];
            int q = block.Q, levels = block.LevelCount, offset = terms.EffectOffset[k];
            for (int t = 0; t < terms.Layouts[k].ThetaCount; t++)
            {
                var (r, c) = terms.Layouts[k].ThetaPosition(t);
                double logDetA = logDetSlope[terms.ThetaOffset[k] + t];
                double rss = 0;
                for (int l = 0; l < levels; l++) rss += residualScores[offset + l * q + r] * u[offset + l * q + c];
                rss *= -2;
                double logDetS = 0;
                if (reml)
                    for (int a = 0; a < p; a++)
                        for (int b2 = 0; b2 < p; b2++)
                        {
                            double h = 0;
                            for (int l = 0; l < levels; l++) h += columnScores[a][offset + l * q + r] * m[b2][offset + l * q + c];
                            logDetS -= 2 * schurInverse![b2, a] * h;
                        }
                gradient[terms.ThetaOffset[k] + t] = logDetA + logDetS + rssScale * rss;
            }
        }
        return true;
    }

    /// <summary>Rows per chunk of the row pass, at least; larger data take larger chunks so that the chunks' partial
    /// sums stay within <see cref="PartialSumLimit"/> values.</summary>
    private const int ChunkRows = 4096;
    private const long PartialSumLimit = 1 << 23;

    /// <summary>
    /// One pass over the rows: g = Z'W(y - X beta - Z Lambda u) and, for each column of M, H[:, a] = Z'W(x_a - Z Lambda
    /// M[:, a]), both in the layout of u (each term's levels in turn). The rows are split in chunks fixed by the data's
    /// size, each chunk's sums taken on its own and the chunks' added in order, so the result does not depend on the
    /// threads.
    /// </summary>
    private static double[] RowScores(ModelFrame frame, CrossedTerms terms, double[] w, double[] y, IReadOnlyList<Mat3> lambda, double[] beta, double[] u,
        double[][] m, ParallelOptions parallel, out double[][] columnScores)
    {
        int n = frame.RowCount, size = u.Length, columns = m.Length;
        var effects = terms.FlatModes(u, lambda);
        var columnEffects = m.Select(column => terms.FlatModes(column, lambda)).ToArray();
        long perChunk = (long)(1 + columns) * size;
        int chunks = (int)Math.Max(1, Math.Min((n + ChunkRows - 1) / ChunkRows, PartialSumLimit / perChunk));
        int rowsPerChunk = (n + chunks - 1) / chunks;
        var partial = new double[chunks][];
        BlockLoop.For(chunks, parallel, c =>
            partial[c] = ChunkScores(frame, terms, w, y, beta, effects, columnEffects, c * rowsPerChunk, Math.Min(n, (c + 1) * rowsPerChunk)));
        var scores = new double[size];
        columnScores = new double[columns][];
        for (int a = 0; a < columns; a++) columnScores[a] = new double[size];
        foreach (var sums in partial)
        {
            for (int v = 0; v < size; v++) scores[v] += sums[v];
            for (int a = 0; a < columns; a++)
            {
                var target = columnScores[a];
                int at = (1 + a) * size;
                for (int v = 0; v < size; v++) target[v] += sums[at + v];
            }
        }
        return scores;
    }

    /// <summary>Rows [start, end)'s sums: the residual scores, then each column's, each in the layout of u.</summary>
    private static double[] ChunkScores(ModelFrame frame, CrossedTerms terms, double[] w, double[] y, double[] beta, double[] effects,
        double[][] columnEffects, int start, int end)
    {
        int n = frame.RowCount, p = frame.P, termCount = terms.Blocks.Length, size = effects.Length, columns = columnEffects.Length;
        var offsets = terms.EffectOffset;
        var x = frame.X;
        var sums = new double[(1 + columns) * size];
        Span<double> columnResiduals = stackalloc double[columns];
        for (int i = start; i < end; i++)
        {
            double wi = w[i];
            if (wi == 0) continue;
            double residual = y[i];
            for (int a = 0; a < p; a++) residual -= x[a * n + i] * beta[a];
            for (int a = 0; a < columns; a++) columnResiduals[a] = x[a * n + i];
            for (int k = 0; k < termCount; k++)
            {
                var block = terms.Blocks[k];
                int at = offsets[k] + block.LevelOfRow[i] * block.Q;
                for (int d = 0; d < block.Q; d++)
                {
                    double z = block.Z[(long)d * n + i];
                    residual -= z * effects[at + d];
                    for (int a = 0; a < columns; a++) columnResiduals[a] -= z * columnEffects[a][at + d];
                }
            }
            for (int k = 0; k < termCount; k++)
            {
                var block = terms.Blocks[k];
                int at = offsets[k] + block.LevelOfRow[i] * block.Q;
                for (int d = 0; d < block.Q; d++)
                {
                    double wz = wi * block.Z[(long)d * n + i];
                    sums[at + d] += wz * residual;
                    for (int a = 0; a < columns; a++) sums[(1 + a) * size + at + d] += wz * columnResiduals[a];
                }
            }
        }
        return sums;
    }
}

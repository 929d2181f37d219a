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
        // u = L^-T (Lx[:, p] - Lx[:, 0..p) beta) and M's columns (spherical, REML only), in one back-solve.
        var combinations = new double[reml ? p + 1 : 1][];
        combinations[0] = new double[p + 1];
        for (int a = 0; a < p; a++) combinations[0][a] = -beta[a];
        combinations[0][p] = 1.0;
        for (int a = 1; a < combinations.Length; a++)
        {
            combinations[a] = new double[p + 1];
            combinations[a][a - 1] = 1.0;
        }
        var solved = factor.SolveTransposed(combinations);
        var u = solved[0];
        var m = solved[1..];
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
    /// threads. The residual and the columns ride together: an effect's values for all of them sit side by side.
    /// </summary>
    private static double[] RowScores(ModelFrame frame, CrossedTerms terms, double[] w, double[] y, IReadOnlyList<Mat3> lambda, double[] beta, double[] u,
        double[][] m, ParallelOptions parallel, out double[][] columnScores)
    {
        int n = frame.RowCount, size = u.Length, columns = m.Length, width = 1 + columns;
        var effects = new double[(long)size * width];
        var vectors = new[] { u }.Concat(m).ToArray();
        for (int v = 0; v < width; v++)
        {
            var b = terms.FlatModes(vectors[v], lambda);
            for (int e = 0; e < size; e++) effects[(long)e * width + v] = b[e];
        }
        long perChunk = (long)width * size;
        int chunks = (int)Math.Max(1, Math.Min((n + ChunkRows - 1) / ChunkRows, PartialSumLimit / perChunk));
        int rowsPerChunk = (n + chunks - 1) / chunks;
        var partial = new double[chunks][];
        BlockLoop.For(chunks, parallel, c =>
            partial[c] = ChunkScores(frame, terms, w, y, beta, effects, width, c * rowsPerChunk, Math.Min(n, (c + 1) * rowsPerChunk)));
        var total = partial[0];
        for (int c = 1; c < chunks; c++)
        {
            var sums = partial[c];
            for (long e = 0; e < total.Length; e++) total[e] += sums[e];
        }
        var scores = new double[size];
        columnScores = new double[columns][];
        for (int a = 0; a < columns; a++) columnScores[a] = new double[size];
        for (int e = 0; e < size; e++)
        {
            scores[e] = total[(long)e * width];
            for (int a = 0; a < columns; a++) columnScores[a][e] = total[(long)e * width + 1 + a];
        }
        return scores;
    }

    /// <summary>Rows [start, end)'s sums, for each effect its residual score then its columns'.</summary>
    private static double[] ChunkScores(ModelFrame frame, CrossedTerms terms, double[] w, double[] y, double[] beta, double[] effects, int width,
        int start, int end)
    {
        int n = frame.RowCount, p = frame.P, termCount = terms.Blocks.Length, columns = width - 1;
        var offsets = terms.EffectOffset;
        var levelOfRow = terms.Blocks.Select(b => b.LevelOfRow).ToArray();
        var zOf = terms.Blocks.Select(b => b.Z).ToArray();
        var q = terms.Blocks.Select(b => b.Q).ToArray();
        var x = frame.X;
        var sums = new double[effects.Length];
        Span<double> residuals = stackalloc double[width];
        for (int i = start; i < end; i++)
        {
            double wi = w[i];
            if (wi == 0) continue;
            double residual = y[i];
            for (int a = 0; a < p; a++) residual -= x[a * n + i] * beta[a];
            residuals[0] = residual;
            for (int a = 0; a < columns; a++) residuals[1 + a] = x[a * n + i];
            for (int k = 0; k < termCount; k++)
            {
                int at = offsets[k] + levelOfRow[k][i] * q[k];
                for (int d = 0; d < q[k]; d++)
                {
                    double z = zOf[k][(long)d * n + i];
                    long e = (long)(at + d) * width;
                    for (int v = 0; v < width; v++) residuals[v] -= z * effects[e + v];
                }
            }
            for (int k = 0; k < termCount; k++)
            {
                int at = offsets[k] + levelOfRow[k][i] * q[k];
                for (int d = 0; d < q[k]; d++)
                {
                    double wz = wi * zOf[k][(long)d * n + i];
                    long e = (long)(at + d) * width;
                    for (int v = 0; v < width; v++) sums[e + v] += wz * residuals[v];
                }
            }
        }
        return sums;
    }
}

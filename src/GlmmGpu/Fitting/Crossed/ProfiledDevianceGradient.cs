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
        var residualScores = RowScores(frame, terms, weights, response, lambda, beta, u, m, out var columnScores);

        var selected = new SelectedInverse(factor, terms.Pattern, parallel);
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

    /// <summary>
    /// One pass over the rows: g = Z'W(y - X beta - Z Lambda u) and, for each column of M, H[:, a] = Z'W(x_a - Z Lambda
    /// M[:, a]), both in the layout of u (each term's levels in turn).
    /// </summary>
    private static double[] RowScores(ModelFrame frame, CrossedTerms terms, double[] w, double[] y, IReadOnlyList<Mat3> lambda, double[] beta, double[] u,
        double[][] m, out double[][] columnScores)
    {
        int n = frame.RowCount, p = frame.P, termCount = terms.Blocks.Length;
        var effects = terms.Modes(u, lambda);
        var columnEffects = m.Select(column => terms.Modes(column, lambda)).ToArray();
        var offsets = terms.EffectOffset;
        var scores = new double[u.Length];
        columnScores = m.Select(_ => new double[u.Length]).ToArray();
        var x = frame.X;
        var columnResiduals = new double[m.Length];
        for (int i = 0; i < n; i++)
        {
            double wi = w[i];
            if (wi == 0) continue;
            double residual = y[i];
            for (int a = 0; a < p; a++) residual -= x[a * n + i] * beta[a];
            for (int a = 0; a < m.Length; a++) columnResiduals[a] = x[a * n + i];
            for (int k = 0; k < termCount; k++)
            {
                var block = terms.Blocks[k];
                int level = block.LevelOfRow[i];
                for (int d = 0; d < block.Q; d++)
                {
                    double z = block.Z[(long)d * n + i];
                    residual -= z * effects[k][level][d];
                    for (int a = 0; a < m.Length; a++) columnResiduals[a] -= z * columnEffects[a][k][level][d];
                }
            }
            for (int k = 0; k < termCount; k++)
            {
                var block = terms.Blocks[k];
                int at = offsets[k] + block.LevelOfRow[i] * block.Q;
                for (int d = 0; d < block.Q; d++)
                {
                    double wz = wi * block.Z[(long)d * n + i];
                    scores[at + d] += wz * residual;
                    for (int a = 0; a < m.Length; a++) columnScores[a][at + d] += wz * columnResiduals[a];
                }
            }
        }
        return scores;
    }
}

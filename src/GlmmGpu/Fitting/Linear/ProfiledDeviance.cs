using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Linear;

/// <summary>How the residual scale is treated: profiled out by ML or REML, or held at 1 (Breslow–Clayton PQL).</summary>
internal enum LmmCriterion { Ml, Reml, UnitScale }

/// <summary>The solution of the penalized least-squares problem at one theta.</summary>
internal sealed record LmmSolution(double Deviance, double[] Beta, double Sigma, double[,] BetaCovariance, double PenalizedRss, double LogDetL, double LogDetRX);

/// <summary>
/// lme4's profiled deviance for one grouping factor (Bates et al. 2015, section 3): for relative covariance
/// factor Lambda(theta), each cluster's block L_i L_i' = Lambda' Z_i'W Z_i Lambda + I is factored on its own,
/// and the fixed effects come from the Schur complement RX'RX = X'WX - sum V_i'V_i, V_i = L_i^-1 Lambda' Z_i'W X_i.
/// </summary>
internal static class ProfiledDeviance
{
    private const double LogTwoPi = 1.8378770664093453;

    private const int ClusterBlock = 4096;

    public static LmmSolution Evaluate(LmmSufficientStatistics s, in Mat3 lambda, LmmCriterion criterion)
    {
        int p = s.P, q = s.Q;
        var schur = (double[,])s.XtWX.Clone();
        var rhs = (double[])s.XtWy.Clone();
        double logDetL = 0, vyNorm = 0;
        // Clusters in parallel blocks; each block's sums are added in block order, so results do not depend on
        // the number of threads.
        int blocks = (s.G + ClusterBlock - 1) / ClusterBlock;
        var partial = new BlockSums[blocks];
        var lam = lambda;
        Parallel.For(0, blocks, blk => partial[blk] = ClusterBlockSums(s, lam, blk * ClusterBlock, Math.Min(s.G, (blk + 1) * ClusterBlock)));
        foreach (var part in partial)
        {
            if (part.Failed) return Failed(p);
            logDetL += part.LogDetL;
            vyNorm += part.VyNorm;
            for (int a = 0; a < p; a++)
            {
                rhs[a] -= part.Rhs[a];
                for (int b = 0; b <= a; b++) schur[a, b] -= part.Schur[a * p + b];
            }
        }
        for (int a = 0; a < p; a++)
            for (int b = 0; b < a; b++) schur[b, a] = schur[a, b];
        var rx = Dense.Cholesky(schur);
        if (rx is null) return Failed(p);
        var beta = Dense.Solve(rx, rhs);
        double rss = s.YtWy - vyNorm;
        for (int a = 0; a < p; a++) rss -= rhs[a] * beta[a];
        rss = Math.Max(rss, 1e-300);
        double logDetRX = 0;
        for (int a = 0; a < p; a++) logDetRX += 2 * PortableMath.Log(rx[a, a]);
        int n = s.N;
        double deviance, sigma2;
        switch (criterion)
        {
            case LmmCriterion.Ml:
                sigma2 = rss / n;
                deviance = logDetL + n * (1 + LogTwoPi + PortableMath.Log(sigma2)) - s.SumLogW;
                break;
            case LmmCriterion.Reml:
                sigma2 = rss / (n - p);
                deviance = logDetL + logDetRX + (n - p) * (1 + LogTwoPi + PortableMath.Log(sigma2)) - s.SumLogW;
                break;
            default:
                sigma2 = 1.0;
                deviance = logDetL + rss + n * LogTwoPi - s.SumLogW;
                break;
        }
        var cov = Dense.InverseSpd(schur)!;
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++) cov[a, b] *= sigma2;
        return new LmmSolution(deviance, beta, Math.Sqrt(sigma2), cov, rss, logDetL, logDetRX);
    }

    private sealed record BlockSums(bool Failed, double LogDetL, double VyNorm, double[] Rhs, double[] Schur);

    /// <summary>One block's share: sum log|L_i L_i'|, sum |vy_i|^2, sum V_i'vy_i and sum V_i'V_i (lower triangle).</summary>
    private static BlockSums ClusterBlockSums(LmmSufficientStatistics s, Mat3 lambda, int first, int last)
    {
        int p = s.P, q = s.Q;
        var rhs = new double[p];
        var schur = new double[p * p];
        double logDetL = 0, vyNorm = 0;
        var v = new double[q * p];
        var lt = SmallLinearAlgebra.Transpose(lambda, q);
        for (int c = first; c < last; c++)
        {
            var ztwz = default(Mat3);
            for (int d = 0; d < q; d++)
                for (int e = 0; e < q; e++) ztwz[d, e] = s.ZtWZ[(c * q + d) * q + e];
            var m = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lt, ztwz, q), lambda, q);
            for (int d = 0; d < q; d++) m[d, d] += 1.0;
            if (!SmallLinearAlgebra.Cholesky(m, q, out var l)) return new BlockSums(true, 0, 0, rhs, schur);
            for (int d = 0; d < q; d++) logDetL += 2 * PortableMath.Log(l[d, d]);
            // V = L^-1 Lambda' Z'WX (q x p) and vy = L^-1 Lambda' Z'Wy, by forward substitution.
            var cy = default(Vec3);
            for (int d = 0; d < q; d++)
            {
                double sy = 0;
                for (int e = 0; e < q; e++) sy += lambda[e, d] * s.ZtWy[c * q + e];
                cy[d] = sy;
            }
            var vy = SmallLinearAlgebra.SolveLower(l, q, cy);
            for (int a = 0; a < p; a++)
            {
                var col = default(Vec3);
                for (int d = 0; d < q; d++)
                {
                    double sx = 0;
                    for (int e = 0; e < q; e++) sx += lambda[e, d] * s.ZtWX[(c * q + e) * p + a];
                    col[d] = sx;
                }
                var vc = SmallLinearAlgebra.SolveLower(l, q, col);
                for (int d = 0; d < q; d++) v[d * p + a] = vc[d];
            }
            for (int d = 0; d < q; d++)
            {
                vyNorm += vy[d] * vy[d];
                for (int a = 0; a < p; a++)
                {
                    rhs[a] += v[d * p + a] * vy[d];
                    for (int b = 0; b <= a; b++) schur[a * p + b] += v[d * p + a] * v[d * p + b];
                }
            }
        }
        return new BlockSums(false, logDetL, vyNorm, rhs, schur);
    }

    /// <summary>Conditional modes b_i = Lambda u_i and conditional covariances sigma^2 Lambda (L_i L_i')^-1 Lambda'.</summary>
    public static (double[][] Modes, double[][] Sds) RandomEffects(LmmSufficientStatistics s, in Mat3 lambda, double[] beta, double sigma)
    {
        int p = s.P, q = s.Q;
        var modes = new double[s.G][];
        var sds = new double[s.G][];
        var lt = SmallLinearAlgebra.Transpose(lambda, q);
        for (int c = 0; c < s.G; c++)
        {
            var ztwz = default(Mat3);
            for (int d = 0; d < q; d++)
                for (int e = 0; e < q; e++) ztwz[d, e] = s.ZtWZ[(c * q + d) * q + e];
            var m = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lt, ztwz, q), lambda, q);
            for (int d = 0; d < q; d++) m[d, d] += 1.0;
            SmallLinearAlgebra.Cholesky(m, q, out var l);
            var r = default(Vec3);
            for (int e = 0; e < q; e++)
            {
                double t = s.ZtWy[c * q + e];
                for (int a = 0; a < p; a++) t -= s.ZtWX[(c * q + e) * p + a] * beta[a];
                r[e] = t;
            }
            var u = SmallLinearAlgebra.SolveCholesky(l, q, SmallLinearAlgebra.MultiplyTransposed(lambda, q, r));
            var b = SmallLinearAlgebra.Multiply(lambda, q, u);
            var cov = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lambda, SmallLinearAlgebra.InverseFromCholesky(l, q), q), lt, q);
            modes[c] = new double[q];
            sds[c] = new double[q];
            for (int d = 0; d < q; d++)
            {
                modes[c][d] = b[d];
                sds[c][d] = sigma * Math.Sqrt(Math.Max(0, cov[d, d]));
            }
        }
        return (modes, sds);
    }

    private static LmmSolution Failed(int p) => new(double.PositiveInfinity, new double[p], double.NaN, new double[p, p], double.NaN, double.NaN, double.NaN);
}

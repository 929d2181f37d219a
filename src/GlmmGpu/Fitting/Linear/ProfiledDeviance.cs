using GlmmGpu.Kernels.Linear;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Engines;

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

    public static LmmSolution Evaluate(LmmSufficientStatistics s, in Mat3 lambda, LmmCriterion criterion) =>
        Solve(s, DevianceSums.Compute(s, lambda, withSlope: false), criterion);

    /// <summary>The deviance alone (no covariance of beta), for the optimizer.</summary>
    public static double Deviance(LmmSufficientStatistics s, in Mat3 lambda, LmmCriterion criterion) =>
        Profile(s, DevianceSums.Compute(s, lambda, withSlope: false), criterion)?.Deviance ?? double.PositiveInfinity;

    /// <summary>
    /// One random effect (Lambda = theta): the deviance and its exact derivative in theta, from one pass over the
    /// clusters, where central differences took three.
    /// </summary>
    public static double DevianceAndSlope(LmmSufficientStatistics s, double theta, LmmCriterion criterion, out double slope)
    {
        if (s.Q != 1) throw new ArgumentException("the closed-form slope is for one random effect per cluster", nameof(s));
        var lambda = default(Mat3);
        lambda.A00 = theta;
        var sums = DevianceSums.Compute(s, lambda, withSlope: true);
        var profile = Profile(s, sums, criterion);
        if (profile is not { } f)
        {
            slope = double.NaN;
            return double.PositiveInfinity;
        }
        slope = Slope(s, sums, f, criterion);
        return f.Deviance;
    }

    /// <summary>The solution at the clusters' sums: beta, sigma and beta's covariance.</summary>
    internal static LmmSolution Solve(LmmSufficientStatistics s, DevianceSums sums, LmmCriterion criterion)
    {
        int p = s.P;
        if (Profile(s, sums, criterion) is not { } f) return Failed(p);
        return Solution(f, sums.LogDetL);
    }

    /// <summary>The solution at a profiled optimum: beta's covariance is sigma^2 (RX'RX)^-1.</summary>
    internal static LmmSolution Solution(in Profiled f, double logDetL)
    {
        int p = f.Beta.Length;
        var cov = Dense.InverseSpd(f.Schur)!;
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++) cov[a, b] *= f.Sigma2;
        return new LmmSolution(f.Deviance, f.Beta, Math.Sqrt(f.Sigma2), cov, f.Rss, logDetL, f.LogDetRX);
    }

    internal readonly record struct Profiled(double Deviance, double[] Beta, double Sigma2, double[,] Schur, double Rss, double LogDetRX);

    /// <summary>The fixed effects from the Schur complement RX'RX = X'WX - sum V_i'V_i, then the criterion; null
    /// where a factorisation fails.</summary>
    private static Profiled? Profile(LmmSufficientStatistics s, DevianceSums sums, LmmCriterion criterion)
    {
        if (sums.Failed) return null;
        int p = s.P;
        var cross = sums.Cross;
        var schur = new double[p, p];
        var rhs = new double[p];
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b <= a; b++) schur[a, b] = schur[b, a] = s.XtWX[a, b] - cross[CrossProducts.TriangleEntry(a, b)];
            rhs[a] = s.XtWy[a] - cross[CrossProducts.TriangleEntry(p, a)];
        }
        return Profile(schur, rhs, s.YtWy - cross[CrossProducts.TriangleEntry(p, p)], sums.LogDetL, s.N, s.SumLogW, criterion);
    }

    /// <summary>The fixed effects and the criterion from the Schur complement over [X y]: <paramref name="schur"/> over X,
    /// <paramref name="rhs"/> its row for y and <paramref name="yty"/> its corner; null where RX'RX is not positive definite.
    /// The single-factor path and the blocked one (<see cref="Crossed.CrossedLinearEstimator"/>) share it.</summary>
    internal static Profiled? Profile(double[,] schur, double[] rhs, double yty, double logDetL, int n, double sumLogW, LmmCriterion criterion)
    {
        int p = rhs.Length;
        var rx = Dense.Cholesky(schur);
        if (rx is null) return null;
        var beta = Dense.Solve(rx, rhs);
        double rss = yty;
        for (int a = 0; a < p; a++) rss -= rhs[a] * beta[a];
        rss = Math.Max(rss, 1e-300);
        double logDetRX = 0;
        for (int a = 0; a < p; a++) logDetRX += 2 * PortableMath.Log(rx[a, a]);
        double deviance, sigma2;
        switch (criterion)
        {
            case LmmCriterion.Ml:
                sigma2 = rss / n;
                deviance = logDetL + n * (1 + LogTwoPi + PortableMath.Log(sigma2)) - sumLogW;
                break;
            case LmmCriterion.Reml:
                sigma2 = rss / (n - p);
                deviance = logDetL + logDetRX + (n - p) * (1 + LogTwoPi + PortableMath.Log(sigma2)) - sumLogW;
                break;
            default:
                sigma2 = 1.0;
                deviance = logDetL + rss + n * LogTwoPi - sumLogW;
                break;
        }
        return new Profiled(deviance, beta, sigma2, schur, rss, logDetRX);
    }

    /// <summary>
    /// d deviance / d theta. The penalised RSS is minimal in (beta, u), so only its explicit dependence on theta
    /// counts: d rss = -w' (d sum V_i'V_i) w with w = (-beta, 1) over the augmented columns [X | y]; and
    /// d log|RX'RX| = -tr((RX'RX)^-1 d sum V_i'V_i over X).
    /// </summary>
    private static double Slope(LmmSufficientStatistics s, DevianceSums sums, in Profiled f, LmmCriterion criterion)
    {
        int p = s.P;
        var d = sums.CrossSlope!;
        var beta = f.Beta;
        double quadratic = d[CrossProducts.TriangleEntry(p, p)];
        for (int a = 0; a < p; a++)
        {
            quadratic -= 2 * beta[a] * d[CrossProducts.TriangleEntry(p, a)];
            quadratic += beta[a] * beta[a] * d[CrossProducts.TriangleEntry(a, a)];
            for (int b = 0; b < a; b++) quadratic += 2 * beta[a] * beta[b] * d[CrossProducts.TriangleEntry(a, b)];
        }
        double rssSlope = -quadratic;
        int n = s.N;
        switch (criterion)
        {
            case LmmCriterion.Ml:
                return sums.LogDetLSlope + n * rssSlope / f.Rss;
            case LmmCriterion.Reml:
            {
                var inverse = Dense.InverseSpd(f.Schur)!;
                double trace = 0;
                for (int a = 0; a < p; a++)
                {
                    trace += inverse[a, a] * d[CrossProducts.TriangleEntry(a, a)];
                    for (int b = 0; b < a; b++) trace += 2 * inverse[a, b] * d[CrossProducts.TriangleEntry(a, b)];
                }
                return sums.LogDetLSlope - trace + (n - p) * rssSlope / f.Rss;
            }
            default:
                return sums.LogDetLSlope + rssSlope;
        }
    }

    /// <summary>Conditional modes b_i = Lambda u_i and conditional covariances sigma^2 Lambda (L_i L_i')^-1 Lambda'.</summary>
    public static (double[][] Modes, double[][] Sds, double[][] Covariances) RandomEffects(LmmSufficientStatistics s, in Mat3 lambda, double[] beta, double sigma)
    {
        int q = s.Q;
        var flatModes = new double[s.G * q];
        var flatCovariances = new double[s.G * q * q];
        ForEachCluster(s, lambda, beta, sigma, flatModes, flatCovariances);
        var modes = new double[s.G][];
        var sds = new double[s.G][];
        var covariances = new double[s.G][];
        Parallel.For(0, (s.G + ClusterBlock - 1) / ClusterBlock, s.Parallel, blk =>
        {
            for (int c = blk * ClusterBlock; c < Math.Min(s.G, (blk + 1) * ClusterBlock); c++)
            {
                modes[c] = flatModes.AsSpan(c * q, q).ToArray();
                covariances[c] = flatCovariances.AsSpan(c * q * q, q * q).ToArray();
                sds[c] = new double[q];
                for (int d = 0; d < q; d++) sds[c][d] = Math.Sqrt(Math.Max(0, covariances[c][d * q + d]));
            }
        });
        return (modes, sds, covariances);
    }

    /// <summary>The conditional modes alone, which PQL's next linear predictor needs: flat, q per cluster.</summary>
    public static double[] Modes(LmmSufficientStatistics s, in Mat3 lambda, double[] beta)
    {
        var modes = new double[s.G * s.Q];
        ForEachCluster(s, lambda, beta, 0, modes, null);
        return modes;
    }

    private static void ForEachCluster(LmmSufficientStatistics s, Mat3 lambda, double[] beta, double sigma, double[] modes, double[]? covariances)
    {
        int q = s.Q;
        // Each path's layout of Z'WX, formed here (once) if the engine wrote the other.
        var columns = q == 1 ? s.ZtWXByColumn : null;
        if (q != 1) _ = s.ZtWX;
        Parallel.For(0, (s.G + ClusterBlock - 1) / ClusterBlock, s.Parallel, blk =>
        {
            int first = blk * ClusterBlock, last = Math.Min(s.G, first + ClusterBlock);
            for (int c = first; c < last; c++)
            {
                var mode = modes.AsSpan(c * q, q);
                var covariance = covariances is null ? default : covariances.AsSpan(c * q * q, q * q);
                if (q == 1) ScalarCluster(s, columns!, lambda.A00, beta, sigma, c, mode, covariance);
                else GeneralCluster(s, lambda, beta, sigma, c, mode, covariance);
            }
        });
    }

    /// <summary>One random effect: L_i L_i' = m = 1 + theta^2 d, so b = theta^2 r / m and Var b = sigma^2 theta^2 / m,
    /// r = Z'Wy - Z'WX beta (Z'WX by column).</summary>
    private static void ScalarCluster(LmmSufficientStatistics s, double[] columns, double theta, double[] beta, double sigma, int c, Span<double> mode, Span<double> covariance)
    {
        int p = s.P;
        double t2 = theta * theta, m = 1.0 + t2 * s.ZtWZ[c], r = s.ZtWy[c];
        for (int a = 0; a < p; a++) r -= columns[a * s.G + c] * beta[a];
        mode[0] = t2 * r / m;
        if (!covariance.IsEmpty) covariance[0] = sigma * sigma * Math.Max(0, t2 / m);
    }

    /// <summary>Any q; <paramref name="covariance"/> (sigma^2 Lambda M^-1 Lambda', q by q row-major) empty when only
    /// the mode is wanted.</summary>
    internal static void GeneralCluster(LmmSufficientStatistics s, in Mat3 lambda, double[] beta, double sigma, int c, Span<double> mode, Span<double> covariance)
    {
        int p = s.P, q = s.Q;
        var lt = SmallLinearAlgebra.Transpose(lambda, q);
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
        for (int d = 0; d < q; d++) mode[d] = b[d];
        if (covariance.IsEmpty) return;
        var cov = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lambda, SmallLinearAlgebra.InverseFromCholesky(l, q), q), lt, q);
        for (int d = 0; d < q; d++)
            for (int e = 0; e < q; e++) covariance[d * q + e] = sigma * sigma * cov[d, e];
    }

    internal static LmmSolution Failed(int p) => new(double.PositiveInfinity, new double[p], double.NaN, new double[p, p], double.NaN, double.NaN, double.NaN);
}

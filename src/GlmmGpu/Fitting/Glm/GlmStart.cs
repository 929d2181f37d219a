using System.Numerics.Tensors;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Glm;

/// <summary>
/// A GLM fit without random effects by IRLS: the starting values of the mixed-model fits. The working update
/// runs row-parallel; the weighted cross-products X'WX and X'Wz are column dot products (SIMD).
/// </summary>
internal static class GlmStart
{
    private const int RowBlock = 1 << 15;

    /// <summary>Estimates, dispersion, linear predictor, and the inverse of X'WX at the estimates (the GLM's
    /// unscaled covariance), which gives the mixed-model optimizer the scale of each fixed effect.</summary>
    public sealed record Result(double[] Beta, double Phi, double[] Eta, double[,] InverseInformation);

    public static Result Fit<TModel>(ModelFrame frame) where TModel : struct, IRowLikelihood
    {
        int n = frame.RowCount, p = frame.P;
        var model = default(TModel);
        var eta = new double[n];
        for (int i = 0; i < n; i++) eta[i] = model.StartingEta(frame.Response[i], frame.Weights[i]);
        var beta = new double[p];
        var information = new double[p, p];
        var z = new double[n];
        var w = new double[n];
        var wx = new double[n];
        double phi = 1.0;
        int blocks = (n + RowBlock - 1) / RowBlock;
        for (int iter = 0; iter < 50; iter++)
        {
            double phiNow = phi;
            Parallel.For(0, blocks, blk =>
            {
                int end = Math.Min(n, (blk + 1) * RowBlock);
                for (int i = blk * RowBlock; i < end; i++)
                {
                    default(TModel).Working(frame.Response[i], frame.Weights[i], eta[i], phiNow, out double zi, out double wi);
                    bool ok = wi > 0 && double.IsFinite(wi) && double.IsFinite(zi);
                    z[i] = ok ? zi - frame.Offset[i] : 0.0;
                    w[i] = ok ? wi : 0.0;
                }
            });
            var xtwx = new double[p, p];
            var xtwz = new double[p];
            for (int a = 0; a < p; a++)
            {
                var xa = frame.X.AsSpan(a * n, n);
                TensorPrimitives.Multiply(xa, w, wx);
                xtwz[a] = TensorPrimitives.Dot(wx, z);
                for (int b = 0; b <= a; b++)
                {
                    double v = TensorPrimitives.Dot(wx, frame.X.AsSpan(b * n, n));
                    xtwx[a, b] = v;
                    xtwx[b, a] = v;
                }
            }
            information = xtwx;
            var l = Dense.Cholesky(xtwx) ?? throw new GlmmException("the GLM fit for starting values failed: the weighted design matrix is singular");
            var next = Dense.Solve(l, xtwz);
            double change = 0;
            for (int a = 0; a < p; a++) change = Math.Max(change, Math.Abs(next[a] - beta[a]) / (1 + Math.Abs(beta[a])));
            beta = next;
            frame.Offset.CopyTo(eta, 0);
            for (int a = 0; a < p; a++) TensorPrimitives.MultiplyAdd(frame.X.AsSpan(a * n, n), beta[a], eta, eta);
            phi = Dispersion(frame, model, eta);
            // Starting values only: the mixed-model optimizer refines them, so a loose tolerance saves passes.
            if (change < 1e-5) break;
        }
        return new Result(beta, phi, eta, Dense.InverseSpd(information) ?? new double[p, p]);
    }

    /// <summary>A moment estimate of the dispersion on the family's natural scale (sigma, shape, size, phi).</summary>
    private static double Dispersion<TModel>(ModelFrame frame, TModel model, double[] eta) where TModel : struct, IRowLikelihood
    {
        int n = frame.RowCount, df = Math.Max(1, n - frame.P);
        switch (frame.Family)
        {
            case FamilyKind.Gaussian:
            {
                double rss = 0;
                for (int i = 0; i < n; i++)
                {
                    double r = frame.Response[i] - model.Mean(eta[i]);
                    rss += frame.Weights[i] * r * r;
                }
                return Math.Max(Math.Sqrt(rss / df), 1e-8);
            }
            case FamilyKind.Gamma:
            case FamilyKind.InverseGaussian:
            {
                // Pearson residuals at unit dispersion estimate the dispersion (1/shape for the Gamma).
                double x2 = 0;
                for (int i = 0; i < n; i++)
                {
                    double r = model.PearsonResidual(frame.Response[i], frame.Weights[i], eta[i], 1.0);
                    x2 += r * r;
                }
                double disp = Math.Max(x2 / df, 1e-8);
                return frame.Family == FamilyKind.Gamma ? 1.0 / disp : disp;
            }
            case FamilyKind.NegativeBinomial:
            {
                double num = 0, den = 0;
                for (int i = 0; i < n; i++)
                {
                    double mu = model.Mean(eta[i]), r = frame.Response[i] - mu;
                    num += mu * mu;
                    den += r * r - mu;
                }
                return den > 0 ? Math.Clamp(num / den, 0.05, 1e4) : 1e4;
            }
            default:
                return 1.0;
        }
    }
}

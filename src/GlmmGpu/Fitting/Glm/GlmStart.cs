using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Glm;

/// <summary>A GLM fit without random effects by IRLS: the starting values of the mixed-model fits.</summary>
internal static class GlmStart
{
    public sealed record Result(double[] Beta, double Phi, double[] Eta);

    public static Result Fit<TModel>(ModelFrame frame) where TModel : struct, IRowLikelihood
    {
        int n = frame.RowCount, p = frame.P;
        var model = default(TModel);
        var eta = new double[n];
        for (int i = 0; i < n; i++) eta[i] = model.StartingEta(frame.Response[i], frame.Weights[i]);
        var beta = new double[p];
        double phi = 1.0;
        for (int iter = 0; iter < 50; iter++)
        {
            var xtwx = new double[p, p];
            var xtwz = new double[p];
            for (int i = 0; i < n; i++)
            {
                model.Working(frame.Response[i], frame.Weights[i], eta[i], phi, out double z, out double w);
                if (!(w > 0) || !double.IsFinite(w) || !double.IsFinite(z)) continue;
                z -= frame.Offset[i];
                for (int a = 0; a < p; a++)
                {
                    double xa = frame.XAt(i, a) * w;
                    xtwz[a] += xa * z;
                    for (int b = 0; b <= a; b++) xtwx[a, b] += xa * frame.XAt(i, b);
                }
            }
            for (int a = 0; a < p; a++)
                for (int b = 0; b < a; b++) xtwx[b, a] = xtwx[a, b];
            var l = Dense.Cholesky(xtwx) ?? throw new GlmmException("the GLM fit for starting values failed: the weighted design matrix is singular");
            var next = Dense.Solve(l, xtwz);
            double change = 0;
            for (int a = 0; a < p; a++) change = Math.Max(change, Math.Abs(next[a] - beta[a]) / (1 + Math.Abs(beta[a])));
            beta = next;
            for (int i = 0; i < n; i++)
            {
                double e = frame.Offset[i];
                for (int a = 0; a < p; a++) e += frame.XAt(i, a) * beta[a];
                eta[i] = e;
            }
            phi = Dispersion(frame, model, eta, phi);
            if (change < 1e-8) break;
        }
        return new Result(beta, phi, eta);
    }

    /// <summary>A moment estimate of the dispersion on the family's natural scale (sigma, shape, size, phi).</summary>
    private static double Dispersion<TModel>(ModelFrame frame, TModel model, double[] eta, double phi) where TModel : struct, IRowLikelihood
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

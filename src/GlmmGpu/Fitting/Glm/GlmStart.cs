using System.Numerics.Tensors;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Linear;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;
using GlmmGpu.Engines.Cpu;

namespace GlmmGpu.Fitting.Glm;

/// <summary>
/// A GLM fit without random effects by IRLS: the starting values of the mixed-model fits. Each iteration is one
/// parallel pass over fixed row blocks that forms a block's working response and weights into a buffer and,
/// while they are in cache, the block's X'WX and X'Wz (<see cref="HostCrossProducts"/>); the blocks' sums are
/// added in block order, so the fit does not depend on the number of threads.
/// </summary>
internal static class GlmStart
{
    private const int RowBlock = CrossProducts.GlobalRowBlock;

    /// <summary>Estimates, dispersion, linear predictor, and the inverse of X'WX at the estimates (the GLM's
    /// unscaled covariance), which gives the mixed-model optimizer the scale of each fixed effect.</summary>
    public sealed record Result(double[] Beta, double Phi, double[] Eta, double[,] InverseInformation, int Iterations);

    public static Result Fit<TModel>(ModelFrame frame, ParallelOptions options) where TModel : struct, IRowLikelihood
    {
        int n = frame.RowCount, p = frame.P, blocks = (n + RowBlock - 1) / RowBlock;
        var eta = new double[n];
        Parallel.For(0, blocks, options, blk =>
        {
            int end = Math.Min(n, (blk + 1) * RowBlock);
            for (int i = blk * RowBlock; i < end; i++) eta[i] = default(TModel).StartingEta(frame.Response[i], frame.Weights[i]);
        });
        var beta = new double[p];
        var information = new double[p, p];
        // X'WX's triangle and X'Wz: the leading global entries of CrossProducts' layout.
        int entries = CrossProducts.ResponseEntry(p, p);
        var partials = new double[blocks * entries];
        double phi = 1.0;
        int iterations = 0;
        bool converged = false;
        while (iterations < 50)
        {
            iterations++;
            double phiNow = phi;
            // A class, not a tuple, for the buffers: Parallel.For's code for reference types is compiled once for all.
            Parallel.For(0, blocks, options, () => new WorkingBuffers(), (blk, _, buffers) =>
            {
                int start = blk * RowBlock, end = Math.Min(n, start + RowBlock);
                for (int i = start; i < end; i++)
                {
                    default(TModel).Working(frame.Response[i], frame.Weights[i], eta[i], phiNow, out double zi, out double wi);
                    bool ok = wi > 0 && double.IsFinite(wi) && double.IsFinite(zi);
                    buffers.Z[i - start] = ok ? zi - frame.Offset[i] : 0.0;
                    buffers.W[i - start] = ok ? wi : 0.0;
                }
                var rows = new HostLinearRows(frame.X, [], buffers.Z, buffers.W, n, p, 0, start);
                HostCrossProducts.Global(rows, start, end, entries, partials.AsSpan(blk * entries, entries));
                return buffers;
            }, _ => { });
            var xtwx = new double[p, p];
            var xtwz = new double[p];
            for (int blk = 0; blk < blocks; blk++)
            {
                var part = partials.AsSpan(blk * entries, entries);
                for (int a = 0; a < p; a++)
                {
                    for (int b = 0; b <= a; b++) xtwx[a, b] += part[CrossProducts.TriangleEntry(a, b)];
                    xtwz[a] += part[CrossProducts.ResponseEntry(p, a)];
                }
            }
            for (int a = 0; a < p; a++)
                for (int b = 0; b < a; b++) xtwx[b, a] = xtwx[a, b];
            information = xtwx;
            var l = Dense.Cholesky(xtwx) ?? throw SeparationCheck.StartFailure(frame, beta, options);
            var next = Dense.Solve(l, xtwz);
            double change = 0;
            for (int a = 0; a < p; a++) change = Math.Max(change, Math.Abs(next[a] - beta[a]) / (1 + Math.Abs(beta[a])));
            beta = next;
            LinearPredictor(frame, beta, eta, options);
            phi = HasDispersion(frame.Family) ? Dispersion(frame, default(TModel), eta) : 1.0;
            // Starting values only: the mixed-model optimizer refines them, so a loose tolerance saves passes.
            converged = change < 1e-5;
            if (converged) break;
        }
        SeparationCheck.RequireNoCompleteSeparation(frame, beta, converged);
        return new Result(beta, phi, eta, Dense.InverseSpd(information) ?? new double[p, p], iterations);
    }

    /// <summary>eta = offset + X beta by row blocks, the columns added in order (elementwise, so the blocks do not
    /// change the result).</summary>
    private static void LinearPredictor(ModelFrame frame, double[] beta, double[] eta, ParallelOptions options)
    {
        int n = frame.RowCount, blocks = (n + RowBlock - 1) / RowBlock;
        Parallel.For(0, blocks, options, blk =>
        {
            int start = blk * RowBlock, length = Math.Min(n, start + RowBlock) - start;
            var e = eta.AsSpan(start, length);
            frame.Offset.AsSpan(start, length).CopyTo(e);
            for (int a = 0; a < beta.Length; a++) TensorPrimitives.MultiplyAdd(frame.X.AsSpan(a * n + start, length), beta[a], e, e);
        });
    }

    private sealed class WorkingBuffers
    {
        public readonly double[] Z = new double[RowBlock];
        public readonly double[] W = new double[RowBlock];
    }

    /// <summary>The families whose <see cref="Dispersion"/> is estimated (the others' is 1), asked before calling it
    /// so that it is not compiled for them.</summary>
    private static bool HasDispersion(FamilyKind family) =>
        family is FamilyKind.Gaussian or FamilyKind.Gamma or FamilyKind.InverseGaussian or FamilyKind.NegativeBinomial;

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

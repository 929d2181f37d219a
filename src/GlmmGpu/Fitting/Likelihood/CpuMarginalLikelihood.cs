using System.Numerics.Tensors;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Likelihood;

/// <summary>
/// The CPU path: X beta (TensorPrimitives) and X' alpha (ReproducibleDot) with SIMD, the per-cluster integrals on all cores.
/// Sums are formed in fixed blocks and then in block order, so results are bitwise identical whatever the
/// number of threads.
/// </summary>
internal sealed class CpuMarginalLikelihood<TModel> : IMarginalLikelihood, IRuleCurvature where TModel : struct, IRowLikelihood
{
    private const int ClusterBlock = 2048;
    private const int RowBlock = 1 << 16;
    private static readonly double[] Ones = Enumerable.Repeat(1.0, RowBlock).ToArray();
    private MarginalLikelihoodData data;
    private readonly double[] eta, alpha, scratch, blockLogLik, blockPhi;
    /// <summary>e^(fixed eta) per row, for a random intercept of a model whose row work is e^eta: the passes then
    /// need one exp per cluster, not one per row and pass (ClusterIntegrator.Row). Null otherwise.</summary>
    private readonly double[]? expEta;
    private readonly Mat3[] blockLambda;
    private readonly Vec3[] modes;
    private readonly ParallelOptions parallel;
    private double[] lastPsi = [];

    public CpuMarginalLikelihood(MarginalLikelihoodData data, int threads)
    {
        this.data = data;
        int n = data.N;
        eta = new double[n];
        alpha = new double[n];
        scratch = new double[3 * n];
        if (data.Layout.Q == 1 && default(TModel).TakesExpEta && data.Block.Z.AsSpan(0, n).IndexOfAnyExcept(1.0) < 0)
            expEta = new double[n];
        modes = new Vec3[data.ClusterCount];
        Clusters = new ClusterOutput[data.ClusterCount];
        int blocks = (data.ClusterCount + ClusterBlock - 1) / ClusterBlock;
        blockLogLik = new double[blocks];
        blockPhi = new double[blocks];
        blockLambda = new Mat3[blocks];
        parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
    }

    public ParameterLayout Layout => data.Layout;
    public string Device => "cpu";
    public ClusterOutput[] Clusters { get; }

    public void UseNodes(int nodesPerDimension) => data = data.WithNodes(nodesPerDimension);

    public double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        var layout = data.Layout;
        bool wantGradient = !gradient.IsEmpty;
        var beta = psi[..layout.P].ToArray();
        FixedPredictor(beta);
        lastPsi = psi.ToArray();
        var parameters = layout.Integrand(psi, wantGradient);
        var offsets = data.ClusterOffsets;
        var rows = Rows();
        var clusters = Clusters;
        Parallel.For(0, blockLogLik.Length, parallel, blk =>
        {
            var localRows = rows;
            int first = blk * ClusterBlock, last = Math.Min(first + ClusterBlock, clusters.Length);
            double ll = 0, phi = 0;
            var gl = default(Mat3);
            for (int g = first; g < last; g++)
            {
                ClusterIntegrator.Integrate<TModel, CpuRows>(ref localRows, offsets[g], offsets[g + 1], parameters, modes[g], out clusters[g]);
                ref var o = ref clusters[g];
                if (o.Status is ClusterStatus.Ok or ClusterStatus.NoConvergence) modes[g] = o.Mode;
                ll += o.LogLik;
                phi += o.DispersionGradient;
                for (int i = 0; i < layout.Q; i++)
                    for (int m = 0; m <= i; m++) gl[i, m] += o.LambdaGradient[i, m];
            }
            blockLogLik[blk] = ll;
            blockPhi[blk] = phi;
            blockLambda[blk] = gl;
        });
        double logLik = data.Constant;
        double phiGrad = 0;
        var lambdaGrad = default(Mat3);
        for (int blk = 0; blk < blockLogLik.Length; blk++)
        {
            logLik += blockLogLik[blk];
            phiGrad += blockPhi[blk];
            for (int i = 0; i < layout.Q; i++)
                for (int m = 0; m <= i; m++) lambdaGrad[i, m] += blockLambda[blk][i, m];
        }
        if (double.IsNaN(logLik)) logLik = double.NegativeInfinity;
        if (!wantGradient || double.IsNegativeInfinity(logLik)) return logLik;

        FixedGradient(gradient[..layout.P]);
        layout.ScatterLambdaGradient(lambdaGrad, gradient);
        if (layout.HasDispersion) gradient[layout.DispersionIndex] = phiGrad;
        return logLik;
    }

    /// <summary>eta = offset + X beta, column by column with SIMD, in parallel row blocks.</summary>
    private void FixedPredictor(double[] beta)
    {
        var frame = data.Frame;
        int n = data.N, p = data.P;
        int blocks = (n + RowBlock - 1) / RowBlock;
        Parallel.For(0, blocks, parallel, blk =>
        {
            int start = blk * RowBlock, len = Math.Min(RowBlock, n - start);
            var target = eta.AsSpan(start, len);
            frame.Offset.AsSpan(start, len).CopyTo(target);
            for (int k = 0; k < p; k++)
                TensorPrimitives.MultiplyAdd(frame.X.AsSpan(k * n + start, len), beta[k], target, target);
            if (expEta is null) return;
            for (int i = start; i < start + len; i++) expEta[i] = PortableMath.Exp(eta[i]);
        });
    }

    /// <summary>Where <see cref="QuadratureInformation.Applies"/>, from the last evaluation, when it was at psi.</summary>
    public bool TryRuleHessian(ReadOnlySpan<double> psi, double[,] hessian) =>
        QuadratureInformation.Applies(data) &&
        RuleHessian(psi, Math.Max(QuadratureInformation.RuleNodes, data.Grid.NodesPerDimension), hessian);

    public bool RuleHessian(ReadOnlySpan<double> psi, int nodes, double[,] hessian)
    {
        return psi.SequenceEqual(lastPsi) && QuadratureInformation.Hessian<TModel>(data, psi, Rows(), Clusters, nodes, parallel, hessian);
    }

    /// <summary>The integrand's view of this engine's arrays (eta and e^eta as the last evaluation left them).</summary>
    private CpuRows Rows()
    {
        var frame = data.Frame;
        return new CpuRows(eta, expEta, frame.Response, frame.Weights, data.Block.Z, data.Layout.Q, alpha, scratch, data.Grid.Z, data.Grid.LogWeight);
    }

    private void FixedGradient(Span<double> gradient) => XtAlpha(data.Frame.X, data.N, data.P, alpha, parallel, gradient);

    /// <summary>X' alpha (X column-major, n rows, p columns): block partial dot products in parallel, then summed in
    /// block order, so the result does not depend on the thread count; each block's dot by
    /// <see cref="ReproducibleDot"/> (times ones, which is exact), whose rounding, unlike TensorPrimitives.Dot's,
    /// does not depend on where the arrays lie in memory.</summary>
    internal static void XtAlpha(double[] x, int n, int p, double[] alpha, ParallelOptions parallel, Span<double> gradient)
    {
        int blocks = (n + RowBlock - 1) / RowBlock;
        var partial = new double[blocks * p];
        Parallel.For(0, blocks, parallel, blk =>
        {
            int start = blk * RowBlock, len = Math.Min(RowBlock, n - start);
            var a = alpha.AsSpan(start, len);
            for (int k = 0; k < p; k++)
                partial[blk * p + k] = ReproducibleDot.Dot(x.AsSpan(k * n + start, len), a, Ones.AsSpan(0, len));
        });
        for (int k = 0; k < p; k++)
        {
            double s = 0;
            for (int blk = 0; blk < blocks; blk++) s += partial[blk * p + k];
            gradient[k] = s;
        }
    }

    public void Dispose() { }
}

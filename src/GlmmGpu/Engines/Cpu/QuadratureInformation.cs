using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Kernels.Quadrature;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// The Hessian of -log L in (beta, theta) for a random intercept, from one pass over each cluster's quadrature nodes
/// (Louis' identity on the adapted rule, its nodes u_k held where the fit left them). With a_k the log of node k's
/// term, a_k = log omega_k + sum_j l(x_j'beta + z_j theta u_k) - u_k^2/2, and pi_k the normalised terms,
/// d²log L_i = sum_k pi_k d²a_k + sum_k pi_k s_k s_k' - sbar sbar', s_k = da_k = (sum_j l'_jk x_j, u_k sum_j l'_jk z_j).
/// With nodes held fixed the rule integrates the score's products less accurately than the adaptive rule integrates
/// the likelihood (at seven nodes its fixed-effect block was 7 to 5000 times further from the integral's curvature
/// than the differenced seven-node Hessian, in the tests), so it is used with at least <see cref="RuleNodes"/> nodes, and only where that was
/// measured to be as close to the integral's curvature as the differenced Hessian of a seven-node fit. It costs the time
/// of a few evaluations (benchmarks/RESULTS.md), where differencing takes one per parameter.
/// </summary>
internal static class QuadratureInformation
{
    private const double Sqrt2 = 1.4142135623730951;
    private const int ClusterBlock = 2048;

    /// <summary>The fewest nodes the rule is used with.</summary>
    public const int RuleNodes = 21;

    /// <summary>
    /// Where the engines use it: AGQ with seven or more nodes on a random intercept of binomial-logit rows. There the
    /// rule with <see cref="RuleNodes"/> nodes (or the fit's own count, if more) was as close to the integral's
    /// curvature as the differenced seven-node Hessian, or closer, at every cluster size and variance tested (2 to 30
    /// rows, SD 0.8 to 5). Poisson-log rows with a large variance were not (their 15-node rule was 3e-5 off where the
    /// seven-node fit was 2e-7), vector random effects would need RuleNodes^q points, and Laplace and short rules have
    /// a curvature of their own that glmer reports; those stay on differencing.
    /// </summary>
    public static bool Applies(MarginalLikelihoodData data) =>
        data.Q == 1 && data.Grid.NodesPerDimension >= 7 && !data.Layout.HasDispersion &&
        data.Frame.Family == FamilyKind.Binomial && data.Frame.Link == LinkKind.Logit;

    /// <summary>Fills <paramref name="hessian"/> ((p + 1) x (p + 1), beta then theta) with -log L's Hessian at psi, from
    /// the modes and mode variances of an evaluation at psi (<paramref name="clusters"/>) and that evaluation's rows
    /// (fixed eta at psi; their scratch is overwritten), with <paramref name="nodes"/> nodes. False where any
    /// cluster's terms are not finite (the caller then differences).</summary>
    public static bool Hessian<TModel>(MarginalLikelihoodData data, ReadOnlySpan<double> psi, CpuRows rows, ClusterOutput[] clusters,
        int nodes, ParallelOptions parallel, double[,] hessian) where TModel : struct, IRowLikelihood
    {
        var layout = data.Layout;
        if (layout.Q != 1 || layout.HasDispersion)
            throw new ArgumentException("the rule's curvature is formed for a scalar random effect without dispersion", nameof(data));
        int p = layout.P, n = data.N, m = p + 1;
        var parameters = layout.Integrand(psi, false);
        var x = data.Frame.X;
        var grid = new QuadratureGrid(1, nodes);
        var offsets = data.ClusterOffsets;
        int blocks = (clusters.Length + ClusterBlock - 1) / ClusterBlock;
        var partial = new double[blocks][];
        var failed = new bool[blocks];
        Parallel.For(0, blocks, parallel, blk =>
        {
            var localRows = rows;
            var buffers = new ClusterBuffers(m);
            int first = blk * ClusterBlock, last = Math.Min(first + ClusterBlock, clusters.Length);
            for (int c = first; c < last && !failed[blk]; c++)
            {
                if (!Cluster<TModel>(ref localRows, offsets[c], offsets[c + 1], clusters[c], parameters, p, n, x, grid.Z, grid.LogWeight,
                    buffers))
                    failed[blk] = true;
            }
            partial[blk] = buffers.Total;
        });
        if (failed.Any(f => f)) return false;
        // Summed in block order, so the result does not depend on the thread count.
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                double s = 0;
                for (int blk = 0; blk < blocks; blk++) s += partial[blk][a * m + b];
                hessian[a, b] = -s;
            }
        return true;
    }

    /// <summary>One thread's buffers: the cluster's rows (x_j then z_j, row-major, each padded to whole SIMD vectors) and
    /// per-row curvature sums, grown to the longest cluster; the weighted sums of node scores and of their products
    /// (rows of the padded length); the thread's running total.</summary>
    private sealed class ClusterBuffers(int m)
    {
        /// <summary>A row's length in <see cref="Rows"/>, <see cref="Mean"/> and <see cref="Outer"/>: m padded to whole SIMD vectors.</summary>
        public readonly int Stride = Padded(m);
        public readonly double[] Mean = new double[Padded(m)], Outer = new double[m * Padded(m)], Total = new double[m * m];
        /// <summary>One node's scores: at least two vectors, which the common case's loop writes whole.</summary>
        public readonly double[] Score = new double[Math.Max(Padded(m), 2 * Vector<double>.Count)];
        public double[] Rows = [];
        public double[] Curvature = [];

        private static int Padded(int m) => (m + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;
    }

    /// <summary>Adds cluster [start, end)'s d²log L_i to the thread's total; false if a term is not finite.</summary>
    // Optimised at first call: a fit calls this once per cluster, in one go, before tiering would.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Cluster<TModel>(ref CpuRows rows, int start, int end, in ClusterOutput o, in IntegrandParameters parameters, int p, int n,
        double[] x, double[] gridZ, double[] gridLogWeight, ClusterBuffers buffers)
        where TModel : struct, IRowLikelihood
    {
        // The adapted grid of the integrand: u_k = u^ + sqrt2 z_k / sqrt(H), 1/H the mode's variance.
        double sd = Math.Sqrt(o.ModeCovariance.A00);
        if (!(sd > 0) || !double.IsFinite(sd)) return false;
        double u = o.Mode.X0, lambda = parameters.Lambda.A00;
        int m = p + 1, length = end - start;
        // The cluster's (x_j, z_j) row by row, padded to whole vectors, so that a node's scores are one SIMD
        // multiply-add per row and vector.
        int stride = buffers.Stride, lanes = Vector<double>.Count, vectorsPerRow = stride / lanes;
        if (buffers.Rows.Length < length * stride) buffers.Rows = new double[Math.Max(length * stride, 2 * buffers.Rows.Length)];
        var tile = buffers.Rows.AsSpan(0, length * stride);
        for (int j = 0; j < length; j++)
        {
            for (int a = 0; a < p; a++) tile[j * stride + a] = x[a * n + start + j];
            tile[j * stride + p] = rows.Z(start + j, 0);
        }
        // Per row: sum_k w_k u_k^r l''_jk for r = 0, 1, 2 (w_k unnormalised until the cluster's last node).
        if (buffers.Curvature.Length < 3 * length) buffers.Curvature = new double[Math.Max(3 * length, 2 * buffers.Curvature.Length)];
        var curv = buffers.Curvature.AsSpan(0, 3 * length);
        // Sum_k w_k s_k and sum_k w_k s_k s_k' (row a of the latter at a * stride), as whole vectors.
        var meanVectors = MemoryMarshal.Cast<double, Vector<double>>(buffers.Mean.AsSpan());
        var outerVectors = MemoryMarshal.Cast<double, Vector<double>>(buffers.Outer.AsSpan(0, m * stride));
        var tileVectors = MemoryMarshal.Cast<double, Vector<double>>(tile);
        // Cleared by plain loops: Span.Clear calls into the runtime's precompiled code, which cost 8% of this work
        // (perf), as the AVX-to-SSE transitions of PortableMath's note would.
        Zero(buffers.Mean);
        Zero(buffers.Outer.AsSpan(0, m * stride));
        Zero(curv);
        var scoreVectors = MemoryMarshal.Cast<double, Vector<double>>(buffers.Score.AsSpan());
        var scratch = rows.ScratchOf(start, length);
        // A node's scores in registers where they fit in two vectors (m up to 8 with AVX2): summed through memory
        // they were a store and a reload per row and vector. More vectors are summed in the buffer.
        bool inRegisters = vectorsPerRow <= 2;
        double s = 0, maxA = double.NegativeInfinity;
        int count = gridLogWeight.Length;
        for (int k = 0; k < count; k++)
        {
            double uk = u + Sqrt2 * sd * gridZ[k];
            double sum = ClusterIntegrator.RowTerms<TModel, CpuRows, OneEffect>(ref rows, start, end, parameters, new Vec3 { X0 = lambda * uk });
            double ak = gridLogWeight[k] + sum - 0.5 * uk * uk;
            if (!double.IsFinite(ak)) continue;
            if (ak > maxA)
            {
                // A new largest term: rescale what was summed so far (a running log-sum-exp, as the integrand's).
                double scale = s > 0 ? PortableMath.Exp(maxA - ak) : 0.0;
                s *= scale;
                for (int v = 0; v < meanVectors.Length; v++) meanVectors[v] *= scale;
                for (int v = 0; v < outerVectors.Length; v++) outerVectors[v] *= scale;
                for (int j = 0; j < curv.Length; j++) curv[j] *= scale;
                maxA = ak;
            }
            double wk = PortableMath.Exp(ak - maxA);
            s += wk;
            double wu = wk * uk, wuu = wu * uk;
            Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero;
            if (!inRegisters)
                for (int v = 0; v < vectorsPerRow; v++) scoreVectors[v] = Vector<double>.Zero;
            for (int j = 0; j < length; j++)
            {
                var l1 = new Vector<double>(scratch[3 * j]);
                if (inRegisters)
                {
                    s0 += l1 * tileVectors[j * vectorsPerRow];
                    if (vectorsPerRow == 2) s1 += l1 * tileVectors[j * vectorsPerRow + 1];
                }
                else
                    for (int v = 0; v < vectorsPerRow; v++) scoreVectors[v] += l1 * tileVectors[j * vectorsPerRow + v];
                double l2 = scratch[3 * j + 1];
                curv[3 * j] += wk * l2;
                curv[3 * j + 1] += wu * l2;
                curv[3 * j + 2] += wuu * l2;
            }
            if (inRegisters)
            {
                scoreVectors[0] = s0;
                scoreVectors[1] = s1;
            }
            var score = buffers.Score;
            score[p] *= uk;
            var w = new Vector<double>(wk);
            for (int v = 0; v < vectorsPerRow; v++) meanVectors[v] += w * scoreVectors[v];
            // Whole rows of the products (the lower triangle is read): a vector multiply-add per row and vector.
            for (int a = 0; a < m; a++)
            {
                var wa = new Vector<double>(wk * score[a]);
                for (int v = 0; v < vectorsPerRow; v++) outerVectors[a * vectorsPerRow + v] += wa * scoreVectors[v];
            }
        }
        if (!(s > 0) || !double.IsFinite(s)) return false;
        double invS = 1.0 / s;
        var mean = buffers.Mean.AsSpan(0, m);
        var outer = buffers.Outer.AsSpan(0, m * stride);
        // sum_k pi_k d²a_k: l'' times x_a x_b, then x_b z u_k, then z^2 u_k^2 (the theta row), into outer.
        for (int j = 0; j < length; j++)
        {
            var row = tile.Slice(j * stride, m);
            double c0 = curv[3 * j], c1 = curv[3 * j + 1] * row[p];
            for (int a = 0; a < p; a++)
            {
                double ca = c0 * row[a];
                for (int b = 0; b <= a; b++) outer[a * stride + b] += ca * row[b];
                outer[p * stride + a] += c1 * row[a];
            }
            outer[p * stride + p] += curv[3 * j + 2] * row[p] * row[p];
        }
        var total = buffers.Total;
        for (int a = 0; a < m; a++)
            for (int b = 0; b <= a; b++)
            {
                double v = outer[a * stride + b] * invS - mean[a] * invS * mean[b] * invS;
                if (!double.IsFinite(v)) return false;
                total[a * m + b] += v;
                if (b != a) total[b * m + a] += v;
            }
        return true;
    }

    private static void Zero(Span<double> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = 0.0;
    }
}

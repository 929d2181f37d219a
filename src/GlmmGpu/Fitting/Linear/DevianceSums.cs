using GlmmGpu.Kernels.Linear;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Engines;

namespace GlmmGpu.Fitting.Linear;

/// <summary>
/// The clusters' share of the profiled deviance at Lambda(theta): sum log|L_i L_i'| and the lower
/// triangle of sum V_i'V_i with V_i = L_i^-1 Lambda' [Z_i'WX_i | Z_i'Wy_i] (the augmented column p is y), in
/// <see cref="CrossProducts.TriangleEntry"/>'s order. With one theta the same sums' derivatives in theta too,
/// from which the deviance's slope follows in closed form.
/// </summary>
internal sealed class DevianceSums
{
    private const int ClusterBlock = 4096;

    public bool Failed { get; private init; }
    public double LogDetL { get; private init; }
    /// <summary>Lower triangle of sum V_i'V_i over the augmented columns [X | y].</summary>
    public required double[] Cross { get; init; }
    /// <summary>d LogDetL / d theta (one theta only; else 0).</summary>
    public double LogDetLSlope { get; private init; }
    /// <summary>d Cross / d theta (one theta only; else null).</summary>
    public double[]? CrossSlope { get; init; }

    public static int CrossCount(int p) => (p + 1) * (p + 2) / 2;

    /// <summary>Clusters in blocks on the statistics' threads; each block's sums are added in block order, so the result does
    /// not depend on the number of threads.</summary>
    public static DevianceSums Compute(LmmSufficientStatistics s, in Mat3 lambda, bool withSlope)
    {
        int blocks = (s.G + ClusterBlock - 1) / ClusterBlock;
        var parts = new DevianceSums[blocks];
        var lam = lambda;
        bool scalar = s.Q == 1;
        // Each path's layout of Z'WX, formed here (once) if the engine wrote the other.
        var columns = scalar ? s.ZtWXByColumn : null;
        if (!scalar) _ = s.ZtWX;
        Parallel.For(0, blocks, s.Parallel, () => scalar ? new double[3 * ClusterBlock] : null, (blk, _, scratch) =>
        {
            int first = blk * ClusterBlock, last = Math.Min(s.G, first + ClusterBlock);
            parts[blk] = scalar ? ScalarTheta(s, columns!, lam.A00, first, last, withSlope, scratch!) : General(s, lam, first, last);
            return scratch;
        }, _ => { });
        return Add(parts, CrossCount(s.P), withSlope && scalar);
    }

    /// <summary>The path for any q, on one thread, whatever q is: what the q = 1 path is checked against.</summary>
    internal static DevianceSums ComputeGeneral(LmmSufficientStatistics s, in Mat3 lambda) =>
        Add(new[] { General(s, lambda, 0, s.G) }, CrossCount(s.P), false);

    private static DevianceSums Add(DevianceSums[] parts, int count, bool withSlope)
    {
        var cross = new double[count];
        var slope = withSlope ? new double[count] : null;
        double logDetL = 0, logDetLSlope = 0;
        foreach (var part in parts)
        {
            if (part.Failed) return new DevianceSums { Failed = true, Cross = cross };
            logDetL += part.LogDetL;
            logDetLSlope += part.LogDetLSlope;
            for (int k = 0; k < count; k++) cross[k] += part.Cross[k];
            if (slope is not null)
                for (int k = 0; k < count; k++) slope[k] += part.CrossSlope![k];
        }
        return new DevianceSums { LogDetL = logDetL, Cross = cross, LogDetLSlope = logDetLSlope, CrossSlope = slope };
    }

    /// <summary>
    /// One random effect, Lambda = theta: L_i L_i' = m_i = 1 + theta^2 d_i (d_i = Z_i'WZ_i), so V_i'V_i is the
    /// outer product of [Z_i'WX_i, Z_i'Wy_i] times r_i = theta^2 / m_i, whose derivative is 2 theta / m_i^2;
    /// d log m_i / d theta = 2 theta d_i / m_i. No Cholesky factor, no triangular solve; each entry of the
    /// outer products' sum is a sum of products over the block's clusters (Z'WX by column), in SIMD, and the
    /// log-determinant takes a log per 64 clusters (<see cref="LogSum"/>).
    /// </summary>
    private static DevianceSums ScalarTheta(LmmSufficientStatistics s, double[] columns, double theta, int first, int last, bool withSlope, double[] scratch)
    {
        int p = s.P, length = last - first, count = CrossCount(p);
        var cross = new double[count];
        var slope = withSlope ? new double[count] : null;
        var d = s.ZtWZ.AsSpan(first, length);
        var m = scratch.AsSpan(0, length);
        var r = scratch.AsSpan(ClusterBlock, length);
        var dr = scratch.AsSpan(2 * ClusterBlock, length);
        double t2 = theta * theta, logDetLSlope = 0;
        for (int c = 0; c < length; c++)
        {
            double mc = 1.0 + t2 * d[c];
            if (!(mc > 0)) return new DevianceSums { Failed = true, Cross = cross };
            double inverse = 1.0 / mc;
            m[c] = mc;
            r[c] = t2 * inverse;
            if (withSlope)
            {
                dr[c] = 2.0 * theta * inverse * inverse;
                logDetLSlope += 2.0 * theta * d[c] * inverse;
            }
        }
        int k = 0;
        for (int a = 0; a <= p; a++)
        {
            var va = Column(s, columns, a, first, length);
            for (int b = 0; b <= a; b++)
            {
                var vb = Column(s, columns, b, first, length);
                cross[k] = ReproducibleDot.Dot(r, va, vb);
                if (slope is not null) slope[k] = ReproducibleDot.Dot(dr, va, vb);
                k++;
            }
        }
        return new DevianceSums { LogDetL = LogSum.OverPositive(m), Cross = cross, LogDetLSlope = logDetLSlope, CrossSlope = slope };
    }

    /// <summary>Augmented column a of the clusters [first, first + length): Z'WX's column a, or Z'Wy for a = p.</summary>
    private static ReadOnlySpan<double> Column(LmmSufficientStatistics s, double[] columns, int a, int first, int length) =>
        a < s.P ? columns.AsSpan(a * s.G + first, length) : s.ZtWy.AsSpan(first, length);

    /// <summary>Any q: each cluster's L_i by Cholesky, V_i by forward substitution.</summary>
    private static DevianceSums General(LmmSufficientStatistics s, Mat3 lambda, int first, int last)
    {
        int p = s.P, q = s.Q, width = p + 1, count = CrossCount(p);
        var cross = new double[count];
        double logDetL = 0;
        var v = new double[q * width];
        var ztwx = s.ZtWX;
        var lt = SmallLinearAlgebra.Transpose(lambda, q);
        for (int c = first; c < last; c++)
        {
            var ztwz = default(Mat3);
            for (int d = 0; d < q; d++)
                for (int e = 0; e < q; e++) ztwz[d, e] = s.ZtWZ[(c * q + d) * q + e];
            var m = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lt, ztwz, q), lambda, q);
            for (int d = 0; d < q; d++) m[d, d] += 1.0;
            if (!SmallLinearAlgebra.Cholesky(m, q, out var l)) return new DevianceSums { Failed = true, Cross = cross };
            for (int d = 0; d < q; d++) logDetL += 2 * PortableMath.Log(l[d, d]);
            // Column a of V = L^-1 Lambda' Z'W[X | y], by forward substitution.
            for (int a = 0; a < width; a++)
            {
                var col = default(Vec3);
                for (int d = 0; d < q; d++)
                {
                    double sum = 0;
                    for (int e = 0; e < q; e++) sum += lambda[e, d] * (a < p ? ztwx[(c * q + e) * p + a] : s.ZtWy[c * q + e]);
                    col[d] = sum;
                }
                var vc = SmallLinearAlgebra.SolveLower(l, q, col);
                for (int d = 0; d < q; d++) v[d * width + a] = vc[d];
            }
            for (int d = 0; d < q; d++)
            {
                int k = 0;
                for (int a = 0; a < width; a++)
                    for (int b = 0; b <= a; b++) cross[k++] += v[d * width + a] * v[d * width + b];
            }
        }
        return new DevianceSums { LogDetL = logDetL, Cross = cross };
    }
}

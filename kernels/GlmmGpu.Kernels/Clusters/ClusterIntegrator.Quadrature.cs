using GlmmGpu.Kernels.Families;
using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Numerics;
using static GlmmGpu.Kernels.Numerics.SmallLinearAlgebra;

namespace GlmmGpu.Kernels.Clusters;

public static partial class ClusterIntegrator
{
    /// <summary>
    /// The quadrature over the grid adapted to the mode (points u_k = u^ + sqrt2 L^-T z_k), with a running log-sum-exp,
    /// and per row, alpha_j accumulates the weighted l'_jk. False where no point has a finite integrand.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Quadrature<TModel, TRows, TPart, TEffects>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in ModeSolution m,
        in Mat3 lInv, in Mat3 lInvT, bool modeIsFirstPoint, out QuadratureSums sums)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
        where TEffects : struct, IEffectCount
    {
        int q = default(TEffects).Q;
        sums = default;
        int count = rows.GridCount;
        double hMode = m.SumL - 0.5 * Dot(m.U, m.U, q) - q * HalfLog2Pi;
        if (count == 1)
        {
            // Laplace: the single node is the mode, whose pass has just run.
            sums.MaxA = rows.GridLogWeight(0) + hMode;
            sums.S = 1.0;
            sums.GU = Subtract(MultiplyTransposed(p.Lambda, q, m.C), m.U, q);
            if (p.ComputeGradient)
                for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Scratch(0, j));
            return true;
        }
        double s = 0, maxA = double.NegativeInfinity, phiAcc = 0;
        Vec3 gU = default;
        Mat3 gLacc = default, gDev = default;
        if (p.ComputeGradient)
            for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, 0.0);
        for (int k = 0; k < count; k++)
        {
            var zk = default(Vec3);
            for (int d = 0; d < q; d++) zk[d] = rows.GridZ(k, d);
            var ck = Multiply(lInvT, q, zk);
            var uk = AddScaled(m.U, ck, Sqrt2, q);
            var bk = Multiply(p.Lambda, q, uk);
            double sumK, phiK = 0;
            Vec3 gk;
            // The same sums, bit for bit, as the node pass at u^ would form (scratch 0 already holds l' there).
            if (k == 0 && modeIsFirstPoint && m.HasValue)
            {
                sumK = m.SumL;
                gk = m.C;
            }
            else sumK = NodePass<TModel, TRows, TPart, TEffects>(ref rows, ref part, start, end, p, bk, out gk, out phiK);
            double hk = sumK - 0.5 * Dot(uk, uk, q) - q * HalfLog2Pi;
            double ak = rows.GridLogWeight(k) + hk;
            if (!IsFinite(ak)) continue;
            if (ak > maxA)
            {
                // A new largest term: rescale what was summed so far.
                double scale = s > 0 ? PortableMath.Exp(maxA - ak) : 0.0;
                s *= scale;
                if (p.ComputeGradient)
                {
                    gU = Scale(gU, scale, q);
                    gLacc = Scale(gLacc, scale, q);
                    gDev = Scale(gDev, scale, q);
                    phiAcc *= scale;
                    for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Alpha(j) * scale);
                }
                maxA = ak;
            }
            double wk = PortableMath.Exp(ak - maxA);
            s += wk;
            if (!p.ComputeGradient) continue;
            for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Alpha(j) + wk * rows.Scratch(0, j));
            var gradK = Subtract(MultiplyTransposed(p.Lambda, q, gk), uk, q);
            gU = AddScaled(gU, gradK, wk, q);
            var ak2 = Multiply(lInv, q, gradK);
            for (int i = 0; i < q; i++)
                for (int n = 0; n < q; n++)
                {
                    gLacc[i, n] += wk * ck[i] * ak2[n];
                    gDev[i, n] += wk * gk[i] * (uk[n] - m.U[n]);
                }
            phiAcc += wk * phiK;
        }
        sums = new QuadratureSums { S = s, MaxA = maxA, PhiAcc = phiAcc, GU = gU, GLacc = gLacc, GDev = gDev };
        return s > 0;
    }
}

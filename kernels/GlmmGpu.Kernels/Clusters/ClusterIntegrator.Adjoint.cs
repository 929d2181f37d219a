using GlmmGpu.Kernels.Families;
using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Numerics;
using static GlmmGpu.Kernels.Numerics.SmallLinearAlgebra;

namespace GlmmGpu.Kernels.Clusters;

public static partial class ClusterIntegrator
{
    /// <summary>
    /// The gradient's last phase: the adjoint of L from the quadrature's sums, through the Cholesky factorisation to
    /// H and on to u^ (which needs l''' at the mode), then two passes over the rows that finish each row's alpha and
    /// the cluster's Lambda and dispersion gradients.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Adjoint<TModel, TRows, TPart, TEffects>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in ModeSolution m,
        in Mat3 l, in Mat3 lInv, in Mat3 lInvT, in QuadratureSums sums, ref ClusterOutput output)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
        where TEffects : struct, IEffectCount
    {
        int q = default(TEffects).Q, count = rows.GridCount;
        double invS = 1.0 / sums.S;
        if (count > 1)
            for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Alpha(j) * invS);
        var gU = Scale(sums.GU, invS, q);

        // Adjoint of L: dF/dL = -sqrt2 sum pi_k (L^-T z_k)(L^-1 g_k)' - L^-T, lower triangle.
        var gL = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int n = 0; n <= i; n++)
                gL[i, n] = -Sqrt2 * sums.GLacc[i, n] * invS - lInvT[i, n];
        // Through the Cholesky factorisation to H (Murray 2016): Hbar = L^-T sym(Phi(L' gL)) L^-1.
        var lt = Transpose(l, q);
        var phiM = Multiply(lt, gL, q);
        var symPhi = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int n = 0; n < q; n++)
            {
                double pin = i > n ? phiM[i, n] : (i == n ? 0.5 * phiM[i, i] : 0.0);
                double pni = n > i ? phiM[n, i] : (i == n ? 0.5 * phiM[i, i] : 0.0);
                symPhi[i, n] = 0.5 * (pin + pni);
            }
        var hBar = Multiply(Multiply(lInvT, symPhi, q), lInv, q);
        // In z-space: r_j = z_j' R z_j with R = Lambda Hbar Lambda'.
        var r = Multiply(Multiply(p.Lambda, hBar, q), Transpose(p.Lambda, q), q);

        // Pass a: the curvature's dependence on u^ adds -sum l'''_j r_j s_j to the adjoint of u^.
        var t = default(Vec3);
        for (int j = part.FirstRow(start); j < end; j += part.Stride)
        {
            double rj = QuadraticZ(ref rows, j, r, q);
            double w3 = rows.Scratch(2, j) * rj;
            for (int d = 0; d < q; d++) t[d] += w3 * rows.Z(j, d);
        }
        SumVector(ref part, ref t, q);
        var uBar = Subtract(gU, MultiplyTransposed(p.Lambda, q, t), q);
        var v = SolveCholesky(l, q, uBar);
        var lv = Multiply(p.Lambda, q, v);

        // Pass b: alpha_j = sum_k pi_k l'_jk - l'''_j r_j + l''_j z_j' Lambda v; and the dispersion terms.
        var za = default(Vec3);
        double phiRows = 0;
        for (int j = part.FirstRow(start); j < end; j += part.Stride)
        {
            double rj = QuadraticZ(ref rows, j, r, q);
            double zlv = 0;
            for (int d = 0; d < q; d++) zlv += rows.Z(j, d) * lv[d];
            double alpha = rows.Alpha(j) - rows.Scratch(2, j) * rj + rows.Scratch(1, j) * zlv;
            rows.SetAlpha(j, alpha);
            for (int d = 0; d < q; d++) za[d] += rows.Z(j, d) * alpha;
            if (p.HasDispersion)
            {
                double eta = rows.FixedEta(j);
                for (int d = 0; d < q; d++) eta += rows.Z(j, d) * m.B[d];
                default(TModel).DispersionDerivatives(rows.Response(j), rows.Weight(j), eta, p.Phi, out double dl, out double dl1, out double dl2);
                phiRows += zlv * dl1 - rj * dl2 + (count == 1 ? dl : 0.0);
            }
        }
        SumVector(ref part, ref za, q);
        output.DispersionGradient = (count > 1 ? sums.PhiAcc * invS : 0.0) + (p.HasDispersion ? part.Sum(phiRows) : 0.0);

        // dF/dLambda = (sum z_j alpha_j) u^' + sum pi_k G_k (u_k - u^)' + c v' + 2 A Lambda Hbar.
        var aLh = Multiply(Multiply(m.A, p.Lambda, q), hBar, q);
        var gLambda = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int n = 0; n < q; n++)
                gLambda[i, n] = za[i] * m.U[n] + sums.GDev[i, n] * invS + m.C[i] * v[n] + 2.0 * aLh[i, n];
        output.LambdaGradient = gLambda;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double QuadraticZ<TRows>(ref TRows rows, int j, in Mat3 r, int q) where TRows : struct, IClusterRows
    {
        if (q == 1)
        {
            double z = rows.Z(j, 0);
            return z * r.A00 * z;
        }
        double s = 0;
        for (int i = 0; i < q; i++)
        {
            double zi = rows.Z(j, i);
            for (int n = 0; n < q; n++) s += zi * r[i, n] * rows.Z(j, n);
        }
        return s;
    }
}

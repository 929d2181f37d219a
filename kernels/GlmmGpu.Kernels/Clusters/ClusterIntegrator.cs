using GlmmGpu.Kernels.Families;
using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Kernels.Clusters;

/// <summary>
/// The per-cluster integral of a GLMM and its exact gradient, written once for the CPU path and the ILGPU
/// kernels (static, allocation-free, plain structs).
///
/// With b = Lambda u, u ~ N(0, I), the cluster's integrand is exp h(u), h(u) = sum_j l_j(eta_j) - |u|^2/2 -
/// (q/2) log 2pi, eta_j = x_j'beta + o_j + z_j' Lambda u. Adaptive Gauss–Hermite quadrature centres and scales a
/// tensor grid at the mode u^ and the Cholesky factor L of H = -h''(u^):
/// log L_i = (q/2) log 2 - log|L| + log sum_k omega_k exp h(u^ + sqrt2 L^-T z_k); one node is Laplace.
///
/// The gradient differentiates that approximation exactly, including the movement of the nodes with the
/// parameters (Stringer and Bilodeau 2023): the adjoints of u^ and L are pushed back through the mode
/// equation and the Cholesky factorisation, which needs l''' at the mode. What comes out per row is alpha_j,
/// the derivative of the cluster log-likelihood in x_j'beta, so the fixed-effects gradient is X'alpha (a SIMD
/// reduction outside); the Lambda and log(phi) gradients come out per cluster.
/// </summary>
public static class ClusterIntegrator
{
    private const double NewtonTolerance = 1e-6;
    /// <summary>Newton steps shorter than this (in u, whose prior SD is 1) are taken without checking h.</summary>
    private const double TrustedStep = 0.1;
    private const int MaxNewtonIterations = 100;
    private const double Sqrt2 = 1.4142135623730951;
    private const double HalfLog2 = 0.34657359027997264;
    private const double HalfLog2Pi = 0.91893853320467274;

    /// <summary>Integrates one cluster (rows [start, end)), starting Newton's method at <paramref name="start"/> u.</summary>
    // Optimised at first call: the CPU path calls this a million times in its first evaluation, before tiering would.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Integrate<TModel, TRows>(ref TRows rows, int start, int end, in IntegrandParameters p, in Vec3 warmStart, out ClusterOutput output)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
    {
        var single = default(SingleThread);
        Integrate<TModel, TRows, SingleThread>(ref rows, ref single, start, end, p, warmStart, out output);
    }

    /// <summary>As above, with the cluster's rows shared among the threads of <paramref name="part"/> (every one of
    /// them calls this with the same arguments and gets the same <paramref name="output"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Integrate<TModel, TRows, TPart>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 warmStart, out ClusterOutput output)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
    {
        output = default;
        int q = p.Q;
        var u = warmStart;
        var b = SmallLinearAlgebra.Multiply(p.Lambda, q, u);
        bool laplace = rows.GridCount == 1;
        // Where the grid's first point is the mode (Laplace, odd K), the mode's own pass, made with the value,
        // stands in for that point's node pass: one pass of the K^q saved for the price of the value's log. Not
        // with a dispersion gradient, whose node term the mode pass does not form.
        bool modeIsFirstPoint = FirstPointIsMode(ref rows, q) && !(p.HasDispersion && p.ComputeGradient);
        bool wantModeValue = laplace || modeIsFirstPoint;
        // The first pass goes without the log-density: from a warm start the Newton step is usually small
        // enough to take on trust, and only a step that is not needs values to compare.
        bool hasValue = false;
        double sumL = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, b, false, out var c, out var a, out var aSearch);
        if (!IsFinite(c, a, q))
        {
            u = default;
            b = default;
            hasValue = true;
            sumL = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, b, true, out c, out a, out aSearch);
            if (!IsFinite(sumL) || !IsFinite(c, a, q))
            {
                output.Status = ClusterStatus.NotFinite;
                output.LogLik = double.NegativeInfinity;
                return;
            }
        }

        // Newton's method on h. A step below TrustedStep that is shrinking as Newton's quadratic convergence
        // predicts is taken without evaluating h; any other step is checked against h and halved until h does not
        // fall. The search direction uses curvature clipped at zero so it is an ascent direction even where a
        // non-canonical link makes h locally convex.
        int iterations = 0;
        bool converged = false;
        double previousStep = double.PositiveInfinity;
        double h = hasValue ? sumL - 0.5 * Dot(u, u, q) : double.NaN;
        while (iterations < MaxNewtonIterations)
        {
            iterations++;
            var g = Subtract(SmallLinearAlgebra.MultiplyTransposed(p.Lambda, q, c), u, q);
            var hs = AddIdentity(Congruence(p.Lambda, aSearch, q), q);
            if (!SmallLinearAlgebra.Cholesky(hs, q, out var ls)) break;
            var delta = SmallLinearAlgebra.SolveCholesky(ls, q, g);
            double size = MaxAbs(delta, q);
            bool small = size < NewtonTolerance;
            if (size < TrustedStep && size < 0.5 * previousStep)
            {
                var uTrusted = AddScaled(u, delta, 1.0, q);
                var bTrusted = SmallLinearAlgebra.Multiply(p.Lambda, q, uTrusted);
                // The pass after the last step is the mode's: Laplace needs its value, and so does a grid that reuses it.
                bool value = small && wantModeValue;
                double sumT = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, bTrusted, value, out var cT, out var aT, out var asT);
                if (IsFinite(cT, aT, q) && (!value || IsFinite(sumT)))
                {
                    u = uTrusted; b = bTrusted; sumL = sumT; c = cT; a = aT; aSearch = asT;
                    hasValue = value;
                    h = value ? sumT - 0.5 * Dot(u, u, q) : double.NaN;
                    previousStep = size;
                    if (small)
                    {
                        converged = true;
                        break;
                    }
                    continue;
                }
            }
            if (!hasValue)
            {
                sumL = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, b, true, out c, out a, out aSearch);
                hasValue = true;
                h = sumL - 0.5 * Dot(u, u, q);
            }
            double step = 1.0;
            bool accepted = false;
            for (int halving = 0; halving < 40; halving++)
            {
                var uNew = AddScaled(u, delta, step, q);
                var bNew = SmallLinearAlgebra.Multiply(p.Lambda, q, uNew);
                double sumNew = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, bNew, true, out var cNew, out var aNew, out var asNew);
                double hNew = sumNew - 0.5 * Dot(uNew, uNew, q);
                if (IsFinite(hNew) && hNew >= h - 1e-10 * (1.0 + Math.Abs(h)))
                {
                    u = uNew; b = bNew; sumL = sumNew; c = cNew; a = aNew; aSearch = asNew; h = hNew;
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            previousStep = size * step;
            if (!accepted)
            {
                // No step improves h: u is the mode to working precision. Refresh the per-row scratch at u.
                sumL = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, b, true, out c, out a, out aSearch);
                converged = small || size < 1e-4;
                break;
            }
            if (small)
            {
                converged = true;
                break;
            }
        }
        if (laplace && !hasValue)
            sumL = ModePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, b, true, out c, out a, out aSearch);
        output.NewtonIterations = iterations;
        output.Mode = u;

        var hess = AddIdentity(Congruence(p.Lambda, a, q), q);
        if (!SmallLinearAlgebra.Cholesky(hess, q, out var l))
        {
            output.Status = ClusterStatus.NotPositiveDefinite;
            output.LogLik = double.NegativeInfinity;
            return;
        }
        if (!converged) output.Status = ClusterStatus.NoConvergence;
        output.ModeCovariance = SmallLinearAlgebra.InverseFromCholesky(l, q);
        double logDetL = 0;
        for (int d = 0; d < q; d++) logDetL += PortableMath.Log(l[d, d]);

        // Quadrature over the adapted grid, with a running log-sum-exp. Sums weighted by exp(a_k - M):
        // S (the total), gU (adjoint of u^), gLacc (adjoint of L before scaling), gDev (sum G_k (u_k - u^)'),
        // phiAcc (d/dlog phi at fixed nodes); per row, alpha_j accumulates l'_jk.
        var lInv = SmallLinearAlgebra.InverseLower(l, q);
        var lInvT = SmallLinearAlgebra.Transpose(lInv, q);
        double s, maxA, phiAcc = 0;
        Vec3 gU;
        Mat3 gLacc = default, gDev = default;
        int count = rows.GridCount;
        double hMode = sumL - 0.5 * Dot(u, u, q) - q * HalfLog2Pi;
        if (count == 1)
        {
            // Laplace: the single node is the mode, whose pass has just run.
            maxA = rows.GridLogWeight(0) + hMode;
            s = 1.0;
            gU = Subtract(SmallLinearAlgebra.MultiplyTransposed(p.Lambda, q, c), u, q);
            if (p.ComputeGradient)
                for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Scratch(0, j));
        }
        else
        {
            s = 0;
            maxA = double.NegativeInfinity;
            gU = default;
            if (p.ComputeGradient)
                for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, 0.0);
            for (int k = 0; k < count; k++)
            {
                var zk = default(Vec3);
                for (int d = 0; d < q; d++) zk[d] = rows.GridZ(k, d);
                var ck = SmallLinearAlgebra.Multiply(lInvT, q, zk);
                var uk = AddScaled(u, ck, Sqrt2, q);
                var bk = SmallLinearAlgebra.Multiply(p.Lambda, q, uk);
                double sumK, phiK = 0;
                Vec3 gk;
                // The same sums, bit for bit, as the node pass at u^ would form (scratch 0 already holds l' there).
                if (k == 0 && modeIsFirstPoint && hasValue)
                {
                    sumK = sumL;
                    gk = c;
                }
                else sumK = NodePass<TModel, TRows, TPart>(ref rows, ref part, start, end, p, bk, out gk, out phiK);
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
                        gLacc = ScaleMat(gLacc, scale, q);
                        gDev = ScaleMat(gDev, scale, q);
                        phiAcc *= scale;
                        for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Alpha(j) * scale);
                    }
                    maxA = ak;
                }
                double wk = PortableMath.Exp(ak - maxA);
                s += wk;
                if (!p.ComputeGradient) continue;
                for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Alpha(j) + wk * rows.Scratch(0, j));
                var gradK = Subtract(SmallLinearAlgebra.MultiplyTransposed(p.Lambda, q, gk), uk, q);
                gU = AddScaled(gU, gradK, wk, q);
                var ak2 = SmallLinearAlgebra.Multiply(lInv, q, gradK);
                for (int i = 0; i < q; i++)
                    for (int m = 0; m < q; m++)
                    {
                        gLacc[i, m] += wk * ck[i] * ak2[m];
                        gDev[i, m] += wk * gk[i] * (uk[m] - u[m]);
                    }
                phiAcc += wk * phiK;
            }
            if (!(s > 0))
            {
                output.Status = ClusterStatus.NotFinite;
                output.LogLik = double.NegativeInfinity;
                return;
            }
        }
        output.LogLik = q * HalfLog2 - logDetL + maxA + PortableMath.Log(s);
        if (!p.ComputeGradient) return;

        double invS = 1.0 / s;
        if (count > 1)
            for (int j = part.FirstRow(start); j < end; j += part.Stride) rows.SetAlpha(j, rows.Alpha(j) * invS);
        gU = Scale(gU, invS, q);

        // Adjoint of L: dF/dL = -sqrt2 sum pi_k (L^-T z_k)(L^-1 g_k)' - L^-T, lower triangle.
        var gL = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int m = 0; m <= i; m++)
                gL[i, m] = -Sqrt2 * gLacc[i, m] * invS - lInvT[i, m];
        // Through the Cholesky factorisation to H (Murray 2016): Hbar = L^-T sym(Phi(L' gL)) L^-1.
        var lt = SmallLinearAlgebra.Transpose(l, q);
        var phiM = SmallLinearAlgebra.Multiply(lt, gL, q);
        var symPhi = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int m = 0; m < q; m++)
            {
                double pim = i > m ? phiM[i, m] : (i == m ? 0.5 * phiM[i, i] : 0.0);
                double pmi = m > i ? phiM[m, i] : (i == m ? 0.5 * phiM[i, i] : 0.0);
                symPhi[i, m] = 0.5 * (pim + pmi);
            }
        var hBar = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lInvT, symPhi, q), lInv, q);
        // In z-space: r_j = z_j' R z_j with R = Lambda Hbar Lambda'.
        var r = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(p.Lambda, hBar, q), SmallLinearAlgebra.Transpose(p.Lambda, q), q);

        // Pass a: the curvature's dependence on u^ adds -sum l'''_j r_j s_j to the adjoint of u^.
        var t = default(Vec3);
        for (int j = part.FirstRow(start); j < end; j += part.Stride)
        {
            double rj = QuadraticZ(ref rows, j, r, q);
            double w3 = rows.Scratch(2, j) * rj;
            for (int d = 0; d < q; d++) t[d] += w3 * rows.Z(j, d);
        }
        SumVector(ref part, ref t, q);
        var uBar = Subtract(gU, SmallLinearAlgebra.MultiplyTransposed(p.Lambda, q, t), q);
        var v = SmallLinearAlgebra.SolveCholesky(l, q, uBar);
        var lv = SmallLinearAlgebra.Multiply(p.Lambda, q, v);

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
                for (int d = 0; d < q; d++) eta += rows.Z(j, d) * b[d];
                default(TModel).DispersionDerivatives(rows.Response(j), rows.Weight(j), eta, p.Phi, out double dl, out double dl1, out double dl2);
                phiRows += zlv * dl1 - rj * dl2 + (count == 1 ? dl : 0.0);
            }
        }
        SumVector(ref part, ref za, q);
        output.DispersionGradient = (count > 1 ? phiAcc * invS : 0.0) + (p.HasDispersion ? part.Sum(phiRows) : 0.0);

        // dF/dLambda = (sum z_j alpha_j) u^' + sum pi_k G_k (u_k - u^)' + c v' + 2 A Lambda Hbar.
        var aLh = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(a, p.Lambda, q), hBar, q);
        var gLambda = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int m = 0; m < q; m++)
                gLambda[i, m] = za[i] * u[m] + gDev[i, m] * invS + c[i] * v[m] + 2.0 * aLh[i, m];
        output.LambdaGradient = gLambda;
    }

    /// <summary>The integrand's rows at b, for the host's uses beyond the integral (the quadrature rule's curvature):
    /// returns sum_j l_j and leaves l'_j, l''_j and l'''_j in scratch slots 0 to 2, by the same row work as the passes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double RowTerms<TModel, TRows>(ref TRows rows, int start, int end, in IntegrandParameters p, in Vec3 b)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
    {
        var single = default(SingleThread);
        return ModePass<TModel, TRows, SingleThread>(ref rows, ref single, start, end, p, b, true, out _, out _, out _);
    }

    /// <summary>
    /// One pass at the current u (b = Lambda u): sum of l (when <paramref name="withValue"/>), c = sum z_j l'_j, A = sum -l''_j z_j z_j' (and the
    /// same with negative curvature clipped, for the search direction). Stores l', l'', l''' per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ModePass<TModel, TRows, TPart>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 b, bool withValue,
        out Vec3 c, out Mat3 a, out Mat3 aSearch)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
    {
        int q = p.Q;
        // Summed in locals, which the JIT keeps in registers, rather than in the out parameters, which its code
        // updated in memory at every row.
        double c0 = 0, c1 = 0, c2 = 0;
        double a00 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a22 = 0;
        double s00 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s22 = 0;
        double sum = 0;
        bool fromExp = TakesExpFixedEta<TModel, TRows>(ref rows, q);
        double expB = fromExp ? PortableMath.Exp(b.X0) : 0.0;
        var deferred = LogProduct.Empty;
        for (int j = part.FirstRow(start); j < end; j += part.Stride)
        {
            double z0 = rows.Z(j, 0);
            double z1 = q > 1 ? rows.Z(j, 1) : 0.0;
            double z2 = q > 2 ? rows.Z(j, 2) : 0.0;
            double eta = rows.FixedEta(j) + z0 * b.X0 + z1 * b.X1 + z2 * b.X2;
            Row<TModel, TRows>(ref rows, j, rows.Response(j), rows.Weight(j), eta, z0, fromExp, expB, p.Phi, withValue, out var d, ref deferred);
            sum += d.L;
            rows.SetScratch(0, j, d.L1);
            rows.SetScratch(1, j, d.L2);
            rows.SetScratch(2, j, d.L3);
            double w = -d.L2;
            double ws = w > 0 ? w : 0.0;
            c0 += z0 * d.L1;
            a00 += w * z0 * z0;
            s00 += ws * z0 * z0;
            if (q > 1)
            {
                c1 += z1 * d.L1;
                a10 += w * z1 * z0;
                a11 += w * z1 * z1;
                s10 += ws * z1 * z0;
                s11 += ws * z1 * z1;
                if (q > 2)
                {
                    c2 += z2 * d.L1;
                    a20 += w * z2 * z0;
                    a21 += w * z2 * z1;
                    a22 += w * z2 * z2;
                    s20 += ws * z2 * z0;
                    s21 += ws * z2 * z1;
                    s22 += ws * z2 * z2;
                }
            }
        }
        if (fromExp) sum += deferred.Total;
        c = new Vec3 { X0 = c0, X1 = c1, X2 = c2 };
        a = new Mat3 { A00 = a00, A10 = a10, A11 = a11, A20 = a20, A21 = a21, A22 = a22 };
        aSearch = new Mat3 { A00 = s00, A10 = s10, A11 = s11, A20 = s20, A21 = s21, A22 = s22 };
        SumVector(ref part, ref c, q);
        SumLower(ref part, ref a, q);
        SumLower(ref part, ref aSearch, q);
        Symmetrize(ref a);
        Symmetrize(ref aSearch);
        return withValue ? part.Sum(sum) : sum;
    }

    /// <summary>One pass at a quadrature node: sum of l, G = sum z_j l'_j, l' per row into scratch 0, and
    /// the log(phi)-derivative of the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double NodePass<TModel, TRows, TPart>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 b,
        out Vec3 g, out double phiDerivative)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
    {
        int q = p.Q;
        // Summed in locals, as in ModePass.
        double g0 = 0, g1 = 0, g2 = 0, phiSum = 0;
        double sum = 0;
        bool fromExp = TakesExpFixedEta<TModel, TRows>(ref rows, q);
        double expB = fromExp ? PortableMath.Exp(b.X0) : 0.0;
        var deferred = LogProduct.Empty;
        for (int j = part.FirstRow(start); j < end; j += part.Stride)
        {
            double z0 = rows.Z(j, 0);
            double z1 = q > 1 ? rows.Z(j, 1) : 0.0;
            double z2 = q > 2 ? rows.Z(j, 2) : 0.0;
            double eta = rows.FixedEta(j) + z0 * b.X0 + z1 * b.X1 + z2 * b.X2;
            double y = rows.Response(j), w = rows.Weight(j);
            Row<TModel, TRows>(ref rows, j, y, w, eta, z0, fromExp, expB, p.Phi, true, out var d, ref deferred);
            sum += d.L;
            rows.SetScratch(0, j, d.L1);
            g0 += z0 * d.L1;
            g1 += z1 * d.L1;
            g2 += z2 * d.L1;
            if (p.HasDispersion && p.ComputeGradient)
            {
                default(TModel).DispersionDerivatives(y, w, eta, p.Phi, out double dl, out _, out _);
                phiSum += dl;
            }
        }
        if (fromExp) sum += deferred.Total;
        g = new Vec3 { X0 = g0, X1 = g1, X2 = g2 };
        SumVector(ref part, ref g, q);
        phiDerivative = p.HasDispersion && p.ComputeGradient ? part.Sum(phiSum) : 0.0;
        return part.Sum(sum);
    }

    /// <summary>Whether a pass forms e^eta as e^(fixed eta) e^b (one exp per pass, not per row): the model's work is
    /// mostly e^eta, the rows hold e^(fixed eta), and the random effect is a scalar (q = 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TakesExpFixedEta<TModel, TRows>(ref TRows rows, int q)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows =>
        q == 1 && default(TModel).TakesExpEta && rows.HasExpFixedEta;

    /// <summary>Row j at eta = fixed eta + z b, with its value or not. On a pass that takes e^(fixed eta)
    /// (<paramref name="fromExp"/>, <paramref name="expB"/> = e^b), a random intercept's row (z = 1) has
    /// e^eta = e^(fixed eta) e^b, to two ulps; anything else (another z, or |eta| near the exponent's range, where the
    /// product would round to zero or overflow) takes the model's own exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TModel, TRows>(ref TRows rows, int j, double y, double w, double eta, double z0, bool fromExp, double expB, double phi,
        bool withValue, out RowDerivatives d, ref LogProduct deferred)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
    {
        double e = fromExp && z0 == 1.0 ? rows.ExpFixedEta(j) * expB : 0.0;
        if (e > 1e-300 && e < 1e300)
        {
            default(TModel).FromExpEta(y, w, eta, e, phi, withValue, out d, out double logArgument);
            deferred.Multiply(logArgument);
        }
        else if (withValue) default(TModel).Evaluate(y, w, eta, phi, out d);
        else default(TModel).Derivatives(y, w, eta, phi, out d);
    }

    /// <summary>
    /// The logs that rows leave to the pass (<see cref="IRowLikelihood.FromExpEta"/>), as one running product:
    /// a Bernoulli row's argument is in [1/2, 1], so 256 arguments multiply to at least 2^-256 before the product
    /// is folded into a log. One log per 256 rows instead of one per row, accurate to about 256 ulps of the sum of
    /// those logs, as their sum would be.
    /// </summary>
    private struct LogProduct
    {
        private const int FoldEvery = 256;
        private double product, logs;
        private int count;

        public static LogProduct Empty => new() { product = 1.0 };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Multiply(double argument)
        {
            if (argument == 1.0) return;
            product *= argument;
            if (++count < FoldEvery) return;
            logs += PortableMath.Log(product);
            product = 1.0;
            count = 0;
        }

        /// <summary>The sum of the deferred logs. Read it only on passes that defer (0 otherwise): unguarded, ILGPU 1.5.3's
        /// PTX compiler fails on it with an internal error.</summary>
        public readonly double Total => product == 1.0 ? logs : logs + PortableMath.Log(product);
    }

    private static bool FirstPointIsMode<TRows>(ref TRows rows, int q) where TRows : struct, IClusterRows
    {
        for (int d = 0; d < q; d++)
            if (rows.GridZ(0, d) != 0.0) return false;
        return true;
    }

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
            for (int m = 0; m < q; m++) s += zi * r[i, m] * rows.Z(j, m);
        }
        return s;
    }

    /// <summary>Each thread's partial sums over its rows, replaced by the cluster's totals (q components).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumVector<TPart>(ref TPart part, ref Vec3 v, int q) where TPart : struct, IRowPartition
    {
        v.X0 = part.Sum(v.X0);
        if (q < 2) return;
        v.X1 = part.Sum(v.X1);
        if (q > 2) v.X2 = part.Sum(v.X2);
    }

    /// <summary>As <see cref="SumVector"/> for the lower triangle of a symmetric q x q matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumLower<TPart>(ref TPart part, ref Mat3 m, int q) where TPart : struct, IRowPartition
    {
        m.A00 = part.Sum(m.A00);
        if (q < 2) return;
        m.A10 = part.Sum(m.A10);
        m.A11 = part.Sum(m.A11);
        if (q < 3) return;
        m.A20 = part.Sum(m.A20);
        m.A21 = part.Sum(m.A21);
        m.A22 = part.Sum(m.A22);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Symmetrize(ref Mat3 a)
    {
        a.A01 = a.A10;
        a.A02 = a.A20;
        a.A12 = a.A21;
    }

    /// <summary>Lambda' A Lambda.</summary>
    private static Mat3 Congruence(in Mat3 lambda, in Mat3 a, int q) =>
        q == 1 ? new Mat3 { A00 = lambda.A00 * a.A00 * lambda.A00 } : SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Transpose(lambda, q), a, q), lambda, q);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Mat3 AddIdentity(Mat3 m, int q)
    {
        for (int i = 0; i < q; i++) m[i, i] += 1.0;
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsFinite(double x) => !double.IsNaN(x) && !double.IsInfinity(x);

    private static bool IsFinite(in Vec3 c, in Mat3 a, int q)
    {
        for (int i = 0; i < q; i++)
        {
            if (!IsFinite(c[i])) return false;
            for (int m = 0; m < q; m++)
                if (!IsFinite(a[i, m])) return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(in Vec3 x, in Vec3 y, int q)
    {
        if (q == 1) return x.X0 * y.X0;
        double s = 0;
        for (int i = 0; i < q; i++) s += x[i] * y[i];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double MaxAbs(in Vec3 x, int q)
    {
        if (q == 1) return Math.Abs(x.X0);
        double m = 0;
        for (int i = 0; i < q; i++) m = Math.Max(m, Math.Abs(x[i]));
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vec3 Subtract(in Vec3 x, in Vec3 y, int q)
    {
        if (q == 1) return new Vec3 { X0 = x.X0 - y.X0 };
        var r = default(Vec3);
        for (int i = 0; i < q; i++) r[i] = x[i] - y[i];
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vec3 AddScaled(in Vec3 x, in Vec3 y, double s, int q)
    {
        if (q == 1) return new Vec3 { X0 = x.X0 + s * y.X0 };
        var r = default(Vec3);
        for (int i = 0; i < q; i++) r[i] = x[i] + s * y[i];
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vec3 Scale(in Vec3 x, double s, int q)
    {
        if (q == 1) return new Vec3 { X0 = s * x.X0 };
        var r = default(Vec3);
        for (int i = 0; i < q; i++) r[i] = s * x[i];
        return r;
    }

    private static Mat3 ScaleMat(in Mat3 x, double s, int q)
    {
        if (q == 1) return new Mat3 { A00 = s * x.A00 };
        var r = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int m = 0; m < q; m++) r[i, m] = s * x[i, m];
        return r;
    }
}

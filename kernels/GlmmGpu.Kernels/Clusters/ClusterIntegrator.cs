using GlmmGpu.Kernels.Families;
using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Numerics;
using static GlmmGpu.Kernels.Numerics.SmallLinearAlgebra;

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
///
/// Four phases, each in a file of its own: the mode (<see cref="SolveMode"/>), the quadrature
/// (<see cref="Quadrature"/>), the adjoints of u^ and L and the passes that turn them into alpha and the Lambda
/// gradient (<see cref="Adjoint"/>), all over the row passes of ClusterIntegrator.Passes.cs.
/// </summary>
public static partial class ClusterIntegrator
{
    private const double Sqrt2 = 1.4142135623730951;
    private const double HalfLog2 = 0.34657359027997264;
    private const double HalfLog2Pi = 0.91893853320467274;

    /// <summary>Integrates one cluster (rows [start, end)), starting Newton's method at <paramref name="start"/> u.</summary>
    // Optimised at first call: the CPU path calls this a million times in its first evaluation, before tiering would.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Integrate<TModel, TRows, TEffects>(ref TRows rows, int start, int end, in IntegrandParameters p, in Vec3 warmStart, out ClusterOutput output)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TEffects : struct, IEffectCount
    {
        var single = default(SingleThread);
        Integrate<TModel, TRows, SingleThread, TEffects>(ref rows, ref single, start, end, p, warmStart, out output);
    }

    /// <summary>As above, with the cluster's rows shared among the threads of <paramref name="part"/> (every one of
    /// them calls this with the same arguments and gets the same <paramref name="output"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Integrate<TModel, TRows, TPart, TEffects>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 warmStart, out ClusterOutput output)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
        where TEffects : struct, IEffectCount
    {
        output = default;
        // q as a type: the small matrix code's loops and branches on q fold away in each instantiation.
        int q = default(TEffects).Q;
        // Where the grid's first point is the mode (Laplace, odd K), the mode's own pass, made with the value,
        // stands in for that point's node pass: one pass of the K^q saved for the price of the value's log. Not
        // with a dispersion gradient, whose node term the mode pass does not form.
        bool modeIsFirstPoint = FirstPointIsMode(ref rows, q) && !(p.HasDispersion && p.ComputeGradient);
        bool wantModeValue = rows.GridCount == 1 || modeIsFirstPoint;
        if (!SolveMode<TModel, TRows, TPart, TEffects>(ref rows, ref part, start, end, p, warmStart, wantModeValue, out var mode))
        {
            output.Status = ClusterStatus.NotFinite;
            output.LogLik = double.NegativeInfinity;
            return;
        }
        output.NewtonIterations = mode.Iterations;
        output.Mode = mode.U;

        var hess = AddIdentity(Congruence(p.Lambda, mode.A, q), q);
        if (!Cholesky(hess, q, out var l))
        {
            output.Status = ClusterStatus.NotPositiveDefinite;
            output.LogLik = double.NegativeInfinity;
            return;
        }
        if (!mode.Converged) output.Status = ClusterStatus.NoConvergence;
        output.ModeCovariance = InverseFromCholesky(l, q);
        double logDetL = 0;
        for (int d = 0; d < q; d++) logDetL += PortableMath.Log(l[d, d]);

        var lInv = InverseLower(l, q);
        var lInvT = Transpose(lInv, q);
        if (!Quadrature<TModel, TRows, TPart, TEffects>(ref rows, ref part, start, end, p, mode, lInv, lInvT, modeIsFirstPoint, out var sums))
        {
            output.Status = ClusterStatus.NotFinite;
            output.LogLik = double.NegativeInfinity;
            return;
        }
        output.LogLik = q * HalfLog2 - logDetL + sums.MaxA + PortableMath.Log(sums.S);
        if (!p.ComputeGradient) return;
        Adjoint<TModel, TRows, TPart, TEffects>(ref rows, ref part, start, end, p, mode, l, lInv, lInvT, sums, ref output);
    }

    private static bool FirstPointIsMode<TRows>(ref TRows rows, int q) where TRows : struct, IClusterRows
    {
        for (int d = 0; d < q; d++)
            if (rows.GridZ(0, d) != 0.0) return false;
        return true;
    }

    /// <summary>Where Newton's method left the cluster: the mode u^ (and b^ = Lambda u^), the rows' sums of the pass
    /// made there (sum of l when <see cref="HasValue"/>, c = sum z_j l'_j, A = sum -l''_j z_j z_j'), and whether it converged.</summary>
    private struct ModeSolution
    {
        public Vec3 U, B, C;
        public Mat3 A;
        public double SumL;
        public bool HasValue, Converged;
        public int Iterations;
    }

    /// <summary>The quadrature's running sums, all weighted by exp(a_k - MaxA): S (the total), GU (adjoint of u^),
    /// GLacc (adjoint of L before scaling), GDev (sum G_k (u_k - u^)'), PhiAcc (d/dlog phi at fixed nodes).</summary>
    private struct QuadratureSums
    {
        public double S, MaxA, PhiAcc;
        public Vec3 GU;
        public Mat3 GLacc, GDev;
    }
}

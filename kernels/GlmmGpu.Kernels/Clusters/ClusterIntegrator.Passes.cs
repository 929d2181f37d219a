using GlmmGpu.Kernels.Families;
using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Numerics;
using static GlmmGpu.Kernels.Numerics.SmallLinearAlgebra;

namespace GlmmGpu.Kernels.Clusters;

// The passes over a cluster's rows that the phases of the integrator make.
public static partial class ClusterIntegrator
{
    /// <summary>The integrand's rows at b, for the host's uses beyond the integral (the quadrature rule's curvature):
    /// returns sum_j l_j and leaves l'_j, l''_j and l'''_j in scratch slots 0 to 2, by the same row work as the passes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double RowTerms<TModel, TRows, TEffects>(ref TRows rows, int start, int end, in IntegrandParameters p, in Vec3 b)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TEffects : struct, IEffectCount
    {
        var single = default(SingleThread);
        return ModePass<TModel, TRows, SingleThread, TEffects>(ref rows, ref single, start, end, p, b, true, out _, out _, out _);
    }

    /// <summary>
    /// One pass at the current u (b = Lambda u): sum of l (when <paramref name="withValue"/>), c = sum z_j l'_j, A = sum -l''_j z_j z_j' (and the
    /// same with negative curvature clipped, for the search direction). Stores l', l'', l''' per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ModePass<TModel, TRows, TPart, TEffects>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 b, bool withValue,
        out Vec3 c, out Mat3 a, out Mat3 aSearch)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
        where TEffects : struct, IEffectCount
    {
        int q = default(TEffects).Q;
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
    private static double NodePass<TModel, TRows, TPart, TEffects>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 b,
        out Vec3 g, out double phiDerivative)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
        where TEffects : struct, IEffectCount
    {
        int q = default(TEffects).Q;
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
}

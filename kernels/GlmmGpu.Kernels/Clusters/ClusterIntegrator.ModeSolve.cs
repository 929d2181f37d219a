using GlmmGpu.Kernels.Families;
using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Numerics;
using static GlmmGpu.Kernels.Numerics.SmallLinearAlgebra;

namespace GlmmGpu.Kernels.Clusters;

public static partial class ClusterIntegrator
{
    private const double NewtonTolerance = 1e-6;
    /// <summary>Newton steps shorter than this (in u, whose prior SD is 1) are taken without checking h.</summary>
    private const double TrustedStep = 0.1;
    private const int MaxNewtonIterations = 100;
    private const int MaxHalvings = 40;

    /// <summary>What the pass <see cref="SolveMode"/> has just made was for.</summary>
    private enum ModeStep { Start, FromZero, Trusted, Value, Search, Refresh, Final }

    /// <summary>
    /// Newton's method on h from <paramref name="warmStart"/>. A step below TrustedStep that is shrinking as Newton's
    /// quadratic convergence predicts is taken without evaluating h; any other step is checked against h and halved
    /// until h does not fall. The search direction uses curvature clipped at zero so it is an ascent direction even
    /// where a non-canonical link makes h locally convex. The first pass goes without the log-density: from a warm
    /// start the step is usually small enough to take on trust, and only a step that is not needs values to compare.
    ///
    /// Written as a loop around one pass over the rows, which each step chooses the point and purpose of: the device
    /// compiles the pass once rather than once per place Newton's method needs it. False where the log-density is
    /// not finite at the start nor at u = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SolveMode<TModel, TRows, TPart, TEffects>(ref TRows rows, ref TPart part, int start, int end, in IntegrandParameters p, in Vec3 warmStart,
        bool wantModeValue, out ModeSolution m)
        where TModel : struct, IRowLikelihood
        where TRows : struct, IClusterRows
        where TPart : struct, IRowPartition
        where TEffects : struct, IEffectCount
    {
        int q = default(TEffects).Q;
        bool laplace = rows.GridCount == 1;
        m = default;
        m.U = warmStart;
        m.B = Multiply(p.Lambda, q, m.U);
        var aSearch = default(Mat3);
        // The pass's point and purpose; Newton's state between passes.
        var step = ModeStep.Start;
        Vec3 uTry = m.U, bTry = m.B, delta = default;
        bool withValue = false, small = false;
        double h = double.NaN, previousStep = double.PositiveInfinity, size = 0, length = 1.0;
        int halvings = 0;
        while (true)
        {
            double sum = ModePass<TModel, TRows, TPart, TEffects>(ref rows, ref part, start, end, p, bTry, withValue, out var c, out var a, out var aS);
            switch (step)
            {
                case ModeStep.Start:
                    if (AreFinite(c, a, q))
                    {
                        Take(ref m, ref aSearch, sum, c, a, aS);
                        goto Decide;
                    }
                    m.U = default;
                    m.B = default;
                    m.HasValue = true;
                    uTry = default;
                    bTry = default;
                    withValue = true;
                    step = ModeStep.FromZero;
                    continue;
                case ModeStep.FromZero:
                    if (!IsFinite(sum) || !AreFinite(c, a, q)) return false;
                    Take(ref m, ref aSearch, sum, c, a, aS);
                    h = m.SumL - 0.5 * Dot(m.U, m.U, q);
                    goto Decide;
                case ModeStep.Trusted:
                    if (AreFinite(c, a, q) && (!withValue || IsFinite(sum)))
                    {
                        m.U = uTry;
                        m.B = bTry;
                        Take(ref m, ref aSearch, sum, c, a, aS);
                        m.HasValue = withValue;
                        h = withValue ? sum - 0.5 * Dot(m.U, m.U, q) : double.NaN;
                        previousStep = size;
                        if (small)
                        {
                            m.Converged = true;
                            goto Finish;
                        }
                        goto Decide;
                    }
                    goto Search;
                case ModeStep.Value:
                    Take(ref m, ref aSearch, sum, c, a, aS);
                    m.HasValue = true;
                    h = m.SumL - 0.5 * Dot(m.U, m.U, q);
                    goto Halve;
                case ModeStep.Search:
                    double hNew = sum - 0.5 * Dot(uTry, uTry, q);
                    if (IsFinite(hNew) && hNew >= h - 1e-10 * (1.0 + Math.Abs(h)))
                    {
                        m.U = uTry;
                        m.B = bTry;
                        Take(ref m, ref aSearch, sum, c, a, aS);
                        h = hNew;
                        previousStep = size * length;
                        if (small)
                        {
                            m.Converged = true;
                            goto Finish;
                        }
                        goto Decide;
                    }
                    length *= 0.5;
                    if (++halvings < MaxHalvings)
                    {
                        uTry = AddScaled(m.U, delta, length, q);
                        bTry = Multiply(p.Lambda, q, uTry);
                        continue;
                    }
                    previousStep = size * length;
                    // No step improves h: u is the mode to working precision. Refresh the per-row scratch at u.
                    uTry = m.U;
                    bTry = m.B;
                    withValue = true;
                    step = ModeStep.Refresh;
                    continue;
                case ModeStep.Refresh:
                    Take(ref m, ref aSearch, sum, c, a, aS);
                    m.Converged = small || size < 1e-4;
                    goto Finish;
                default:
                    Take(ref m, ref aSearch, sum, c, a, aS);
                    return true;
            }

        Decide:
            if (m.Iterations >= MaxNewtonIterations) goto Finish;
            m.Iterations++;
            var g = Subtract(MultiplyTransposed(p.Lambda, q, m.C), m.U, q);
            var hs = AddIdentity(Congruence(p.Lambda, aSearch, q), q);
            if (!Cholesky(hs, q, out var ls)) goto Finish;
            delta = SolveCholesky(ls, q, g);
            size = MaxAbs(delta, q);
            small = size < NewtonTolerance;
            if (size < TrustedStep && size < 0.5 * previousStep)
            {
                uTry = AddScaled(m.U, delta, 1.0, q);
                bTry = Multiply(p.Lambda, q, uTry);
                // The pass after the last step is the mode's: Laplace needs its value, and so does a grid that reuses it.
                withValue = small && wantModeValue;
                step = ModeStep.Trusted;
                continue;
            }

        Search:
            if (!m.HasValue)
            {
                uTry = m.U;
                bTry = m.B;
                withValue = true;
                step = ModeStep.Value;
                continue;
            }

        Halve:
            length = 1.0;
            halvings = 0;
            uTry = AddScaled(m.U, delta, length, q);
            bTry = Multiply(p.Lambda, q, uTry);
            withValue = true;
            step = ModeStep.Search;
            continue;

        Finish:
            if (laplace && !m.HasValue)
            {
                uTry = m.U;
                bTry = m.B;
                withValue = true;
                step = ModeStep.Final;
                continue;
            }
            return true;
        }
    }

    /// <summary>The sums of a pass at the current point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref ModeSolution m, ref Mat3 aSearch, double sum, in Vec3 c, in Mat3 a, in Mat3 aS)
    {
        m.SumL = sum;
        m.C = c;
        m.A = a;
        aSearch = aS;
    }
}

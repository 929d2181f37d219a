using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// The exact gradient of the Laplace log-likelihood with several grouping factors,
/// <c>l = sum log f(y | eta) - |u|^2 / 2 - log|A| / 2</c> at the mode, A = Lambda'Z'WZ Lambda + I, W = -d2 log f / d eta2,
/// in the parameters the outer optimiser moves: theta with the fixed effects found beside the modes (glmer's first
/// stage), or (beta, theta, log phi) with the modes alone (its second). One factorisation's selected inverse
/// (<see cref="SelectedInverse"/>), one adjoint solve and two passes over the rows replace the 1 + k (forward) or 1 + 2k
/// (central) Laplace evaluations of a differenced gradient.
/// <para>The modes (and fixed effects) are stationary, so the first two terms differentiate at fixed modes. log|A| moves
/// with theta directly (<see cref="LogDeterminantSlope"/>), and through the weights at the moving mode:
/// -(1/2) sum_i h_i dw_i with h_i = z_i' Lambda A^-1 Lambda' z_i and dw_i = -l3_i d eta_i. The mode's motion
/// d eta = X d beta + Z Lambda_j u + Z Lambda du follows from the stationarity equations, and enters only through the
/// adjoint v = M^-1 [X'c; Lambda'Z'c], c_i = l3_i h_i, M the inner problem's Hessian (A, bordered by X in the first stage).</para>
/// </summary>
internal static class CrossedLaplaceGradient
{
    /// <summary>Writes d l / d (parameters) at the state of the last evaluation: theta only when
    /// <paramref name="withFixedInside"/>, else (beta, theta[, log phi]). False where a term's factor is near singular.</summary>
    public static bool TryCompute<TModel>(ModelFrame frame, CrossedTerms terms, IReadOnlyList<Mat3> lambda, double phi,
        double[] eta, double[] u, BlockedCholesky factor, bool withFixedInside, bool hasDispersion, ParallelOptions parallel,
        Span<double> gradient) where TModel : struct, IRowLikelihood
    {
        int termCount = terms.Blocks.Length, n = frame.RowCount, p = frame.P;
        if (!LogDeterminantSlope.TryInverseFactors(terms, lambda, out var inverseFactors)) return false;
        var pattern = terms.Pattern;
        var selected = new SelectedInverse(factor, pattern, parallel);
        var offsets = terms.EffectOffset;

        // Pass 1: the rows' derivatives, leverages h_i and c_i = l3_i h_i, with [X'c; Lambda'Z'c] (Z'c first).
        var l1 = new double[n];
        var w = new double[n];
        var c = new double[n];
        var leverage = new double[n];
        var zc = new double[u.Length];
        var xc = new double[withFixedInside ? p : 0];
        // Each row's own quantities on the threads; the sums over rows after, in row order (the same bits at any
        // thread count).
        RowChunks.For(n, parallel, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                default(TModel).Derivatives(frame.Response[i], frame.Weights[i], eta[i], phi, out var row);
                l1[i] = row.L1;
                w[i] = Math.Max(-row.L2, 1e-12);
                leverage[i] = Leverage(terms, lambda, selected, i);
                c[i] = row.L3 * leverage[i];
            }
        });
        for (int i = 0; i < n; i++)
        {
            double ci = c[i];
            for (int a = 0; a < xc.Length; a++) xc[a] += frame.X[a * n + i] * ci;
            for (int k = 0; k < termCount; k++)
            {
                var block = terms.Blocks[k];
                int at = offsets[k] + block.LevelOfRow[i] * block.Q;
                for (int d = 0; d < block.Q; d++) zc[at + d] += block.Z[(long)d * n + i] * ci;
            }
        }
        var adjoint = LambdaTransposed(terms, lambda, zc);
        var adjointFixed = Array.Empty<double>();
        factor.ForwardSolve(adjoint);
        if (withFixedInside)
        {
            // The bordered system: v_beta = S^-1 (X'c - Lx' y_u), then v_u = L^-T (y_u - Lx v_beta).
            int pa = factor.Augmented;
            var schur = new double[p, p];
            var rhs = new double[p];
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++) schur[a, b] = factor.Schur[a * pa + b];
                double v = xc[a];
                for (int r = 0; r < pattern.FirstSize; r++) v -= factor.FirstByColumn[(long)r * pa + a] * adjoint[r];
                for (int r = 0; r < pattern.RestSize; r++) v -= factor.RestByColumn[(long)r * pa + a] * adjoint[pattern.FirstSize + r];
                rhs[a] = v;
            }
            var schurFactor = Dense.Cholesky(schur);
            if (schurFactor is null) return false;
            adjointFixed = Dense.Solve(schurFactor, rhs);
            for (int r = 0; r < pattern.FirstSize; r++)
                for (int a = 0; a < p; a++) adjoint[r] -= factor.FirstByColumn[(long)r * pa + a] * adjointFixed[a];
            for (int r = 0; r < pattern.RestSize; r++)
                for (int a = 0; a < p; a++) adjoint[pattern.FirstSize + r] -= factor.RestByColumn[(long)r * pa + a] * adjointFixed[a];
        }
        factor.BackSolve(adjoint);

        // Pass 2: a_i = l1 + c/2 - w (Z Lambda v_u + X v_beta)/2 against Z (for theta) and X (for beta), l1 against Z.
        var adjointEffects = terms.Modes(adjoint, lambda);
        var scoreA = new double[u.Length];
        var scoreL1 = new double[u.Length];
        var betaScore = new double[withFixedInside ? 0 : p];
        double dispersionScore = 0;
        bool dispersion = hasDispersion && !withFixedInside;
        var rowA = new double[n];
        var rowDispersion = new double[dispersion ? n : 0];
        RowChunks.For(n, parallel, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                double adjointEta = 0;
                for (int k = 0; k < termCount; k++)
                {
                    var block = terms.Blocks[k];
                    var v = adjointEffects[k][block.LevelOfRow[i]];
                    for (int d = 0; d < block.Q; d++) adjointEta += block.Z[(long)d * n + i] * v[d];
                }
                for (int a = 0; a < adjointFixed.Length; a++) adjointEta += frame.X[a * n + i] * adjointFixed[a];
                rowA[i] = l1[i] + 0.5 * c[i] - 0.5 * w[i] * adjointEta;
                if (dispersion)
                {
                    default(TModel).DispersionDerivatives(frame.Response[i], frame.Weights[i], eta[i], phi, out double dl, out double dl1, out double dl2);
                    rowDispersion[i] = dl + 0.5 * leverage[i] * dl2 + 0.5 * adjointEta * dl1;
                }
            }
        });
        for (int i = 0; i < n; i++)
        {
            double ai = rowA[i];
            for (int a = 0; a < betaScore.Length; a++) betaScore[a] += frame.X[a * n + i] * ai;
            for (int k = 0; k < termCount; k++)
            {
                var block = terms.Blocks[k];
                int at = offsets[k] + block.LevelOfRow[i] * block.Q;
                for (int d = 0; d < block.Q; d++)
                {
                    double z = block.Z[(long)d * n + i];
                    scoreA[at + d] += z * ai;
                    scoreL1[at + d] += z * l1[i];
                }
            }
            if (dispersion) dispersionScore += rowDispersion[i];
        }

        int thetaAt = withFixedInside ? 0 : p;
        betaScore.CopyTo(gradient);
        var logDetSlope = LogDeterminantSlope.Compute(terms, inverseFactors, selected);
        for (int k = 0; k < termCount; k++)
        {
            var block = terms.Blocks[k];
            int q = block.Q, levels = block.LevelCount, offset = offsets[k];
            for (int t = 0; t < terms.Layouts[k].ThetaCount; t++)
            {
                var (r, col) = terms.Layouts[k].ThetaPosition(t);
                double g = -0.5 * logDetSlope[terms.ThetaOffset[k] + t];
                for (int l = 0; l < levels; l++)
                {
                    int at = offset + l * q;
                    g += scoreA[at + r] * u[at + col] + 0.5 * scoreL1[at + r] * adjoint[at + col];
                }
                gradient[thetaAt + terms.ThetaOffset[k] + t] = g;
            }
        }
        if (hasDispersion && !withFixedInside) gradient[p + terms.ThetaCount] = dispersionScore;
        return true;
    }

    /// <summary>h_i = zeta' A^-1 zeta with zeta = Lambda' z_i, from the selected inverse: the first term's level block,
    /// the slots beside it and the dense block's entries among the row's later terms.</summary>
    internal static double Leverage(CrossedTerms terms, IReadOnlyList<Mat3> lambda, SelectedInverse selected, int i)
    {
        var pattern = terms.Pattern;
        int n = pattern.RowCount, termCount = terms.Blocks.Length, q0 = pattern.Q0, m = pattern.RestSize;
        var first = terms.Blocks[0];
        var z0 = default(Vec3);
        for (int d = 0; d < q0; d++) z0[d] = first.Z[(long)d * n + i];
        var zeta0 = SmallLinearAlgebra.MultiplyTransposed(lambda[0], q0, z0);
        var b = selected.First[first.LevelOfRow[i]];
        double h = SmallLinearAlgebra.Dot(zeta0, SmallLinearAlgebra.Multiply(b, q0, zeta0), q0);
        Span<double> zeta = stackalloc double[3 * termCount];
        Span<int> rows = stackalloc int[3 * termCount];
        int count = 0;
        for (int k = 1; k < termCount; k++)
        {
            var block = terms.Blocks[k];
            var zk = default(Vec3);
            for (int d = 0; d < block.Q; d++) zk[d] = block.Z[(long)d * n + i];
            var zetaK = SmallLinearAlgebra.MultiplyTransposed(lambda[k], block.Q, zk);
            int slot = pattern.SlotOfRow[k - 1][i], row = pattern.RestOffset[k] + block.LevelOfRow[i] * block.Q;
            for (int d = 0; d < block.Q; d++, count++)
            {
                zeta[count] = zetaK[d];
                rows[count] = row + d;
                double cross = 0;
                for (int f = 0; f < q0; f++) cross += selected.Sparse[(long)(slot + d) * q0 + f] * zeta0[f];
                h += 2 * zetaK[d] * cross;
            }
        }
        for (int a = 0; a < count; a++)
        {
            long row = (long)rows[a] * m;
            double s = 0;
            for (int b2 = 0; b2 < count; b2++) s += selected.Rest[row + rows[b2]] * zeta[b2];
            h += zeta[a] * s;
        }
        return h;
    }

    /// <summary>Lambda' x for x in the layout of u, term by term and level by level.</summary>
    private static double[] LambdaTransposed(CrossedTerms terms, IReadOnlyList<Mat3> lambda, double[] x)
    {
        var result = new double[x.Length];
        for (int k = 0; k < terms.Blocks.Length; k++)
        {
            int q = terms.Blocks[k].Q;
            for (int l = 0; l < terms.Blocks[k].LevelCount; l++)
            {
                int at = terms.EffectOffset[k] + l * q;
                var v = default(Vec3);
                for (int d = 0; d < q; d++) v[d] = x[at + d];
                var t = SmallLinearAlgebra.MultiplyTransposed(lambda[k], q, v);
                for (int d = 0; d < q; d++) result[at + d] = t[d];
            }
        }
        return result;
    }
}

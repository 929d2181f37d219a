using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra.Blocked;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// d log|A| / d theta at fixed weights, A = Lambda'Z'WZ Lambda + I: for theta the (r, c) entry of term k's factor T_k,
/// 2 tr(A^-1 Lambda'Z'WZ Lambda_theta) = 2 (levels_k T_k^-1 - sum_l B_l T_k^-1)[c, r], using Lambda'Z'WZ = (A - I)
/// Lambda^-1 (B_l the diagonal blocks of A^-1, from the selected inverse). It needs every T_k invertible. The profiled
/// deviance's gradient and the Laplace gradient share it.
/// </summary>
internal static class LogDeterminantSlope
{
    /// <summary>Below this a diagonal of some T_k makes Lambda^-1 unreliable: the caller differences instead.</summary>
    private const double SmallestDiagonal = 1e-6;

    /// <summary>Each term's T_k^-1; false where some T_k is (near) singular and the closed form does not apply.</summary>
    public static bool TryInverseFactors(CrossedTerms terms, IReadOnlyList<Mat3> lambda, out Mat3[] inverses)
    {
        inverses = new Mat3[terms.Blocks.Length];
        for (int k = 0; k < inverses.Length; k++)
        {
            int q = terms.Blocks[k].Q;
            for (int d = 0; d < q; d++)
                if (!(Math.Abs(lambda[k][d, d]) >= SmallestDiagonal)) return false;
            inverses[k] = SmallLinearAlgebra.InverseLower(lambda[k], q);
        }
        return true;
    }

    /// <summary>The slope in each theta, in theta's order.</summary>
    public static double[] Compute(CrossedTerms terms, Mat3[] inverseFactors, SelectedInverse selected)
    {
        var slope = new double[terms.ThetaCount];
        for (int k = 0; k < terms.Blocks.Length; k++)
        {
            int q = terms.Blocks[k].Q, levels = terms.Blocks[k].LevelCount;
            var blockSum = k == 0 ? selected.FirstBlockSum() : selected.RestBlockSum(k);
            var sumTimesInverse = SmallLinearAlgebra.Multiply(blockSum, inverseFactors[k], q);
            for (int t = 0; t < terms.Layouts[k].ThetaCount; t++)
            {
                var (r, c) = terms.Layouts[k].ThetaPosition(t);
                slope[terms.ThetaOffset[k] + t] = 2 * (levels * inverseFactors[k][c, r] - sumTimesInverse[c, r]);
            }
        }
        return slope;
    }
}

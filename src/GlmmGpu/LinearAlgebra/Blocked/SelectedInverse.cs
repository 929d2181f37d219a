using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The entries of (L L')^-1 = A^-1 on the blocked factor's own pattern (Takahashi's selected inverse): the dense
/// block's inverse in full, the sparse block's slots and each first-term level's diagonal block. With
/// <code>
///   L^-1 = [ L00^-1                  0       ]      A^-1_rr = Lrr^-T Lrr^-1
///          [ -Lrr^-1 Lr0 L00^-1      Lrr^-1  ]      A^-1_r0 = -A^-1_rr Lr0 L00^-1
///                                                   A^-1_00 = L00^-T (I + Lr0' A^-1_rr Lr0) L00^-1
/// </code>
/// each level j needs A^-1_rr only at its slots' rows, so the work beyond the dense inverse is the sum over levels of
/// slots^2 q0. These are the entries a row's leverage z_i' Lambda A^-1 Lambda' z_i reads. The arrays are the factor's
/// own (<see cref="SelectedInverseStorage"/>): a selected inverse is valid until the next is taken from the same factor.
/// </summary>
public sealed class SelectedInverse
{
    private readonly BlockedPattern pattern;

    /// <summary>A^-1_rr, both triangles, row-major.</summary>
    public double[] Rest { get; }
    /// <summary>A^-1_r0 by slot: slot s's q0 entries at <c>s q0</c> (the slot's dense row against its level's q0 columns).</summary>
    public double[] Sparse { get; }
    /// <summary>A^-1_00's diagonal block for each level of the first term.</summary>
    public Mat3[] First { get; }

    /// <param name="withSparse">Whether to form <see cref="Sparse"/> (a row's leverage reads it; the diagonal blocks do
    /// not, and without it each level reads only half of its slots' entries of A^-1_rr).</param>
    public SelectedInverse(BlockedCholesky factor, BlockedPattern pattern, ParallelOptions parallel, bool withSparse = true)
    {
        this.pattern = pattern;
        int m = pattern.RestSize, q0 = pattern.Q0;
        var storage = factor.InverseStorage;
        Rest = storage.Rest;
        Sparse = withSparse ? storage.Sparse : [];
        First = storage.First;
        DenseInverse.FromCholesky(factor.Rest, m, storage.InverseLower, Rest, parallel);
        var rest = Rest;
        var sparse = Sparse;
        var first = First;
        Parallel.For(0, pattern.Levels0, parallel, j =>
        {
            int start = pattern.ColumnStart[j], end = pattern.ColumnStart[j + 1];
            var inverseL = SmallLinearAlgebra.InverseLower(factor.First[j], q0);
            // Q = A^-1_rr[R, R] Lr0_j at the level's slot rows R, then A^-1_r0 = -Q L_j^-1 and Lr0_j' Q.
            var inner = withSparse ? InnerWithSparse(factor.Sparse, rest, sparse, inverseL, start, end, m, q0) : Inner(factor.Sparse, rest, start, end, m, q0);
            first[j] = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Transpose(inverseL, q0), inner, q0), inverseL, q0);
        });
    }

    /// <summary>I + Lr0_j' A^-1_rr[R, R] Lr0_j for level j's slots [start, end), writing A^-1_r0 at the slots.</summary>
    private Mat3 InnerWithSparse(double[] factorSparse, double[] rest, double[] sparse, in Mat3 inverseL, int start, int end, int m, int q0)
    {
        var inner = Mat3.Identity(q0);
        for (int s = start; s < end; s++)
        {
            long row = (long)pattern.SlotRow[s] * m;
            var qs = RowTimesSlots(rest, row, factorSparse, start, end, q0);
            for (int d = 0; d < q0; d++)
            {
                double v = 0;
                for (int f = 0; f < q0; f++) v -= qs[f] * inverseL[f, d];
                sparse[(long)s * q0 + d] = v;
                for (int e = 0; e < q0; e++) inner[d, e] += factorSparse[(long)s * q0 + d] * qs[e];
            }
        }
        SmallLinearAlgebra.Symmetrize(ref inner);
        return inner;
    }

    /// <summary>The same sum from the lower triangle of the slots' block: each pair (s, t &lt; s) read once, for both
    /// of its terms.</summary>
    private Mat3 Inner(double[] factorSparse, double[] rest, int start, int end, int m, int q0)
    {
        var inner = Mat3.Identity(q0);
        for (int s = start; s < end; s++)
        {
            long row = (long)pattern.SlotRow[s] * m;
            var below = RowTimesSlots(rest, row, factorSparse, start, s, q0);
            double diagonal = rest[row + pattern.SlotRow[s]];
            for (int d = 0; d < q0; d++)
            {
                double xd = factorSparse[(long)s * q0 + d];
                for (int e = 0; e < q0; e++)
                {
                    double xe = factorSparse[(long)s * q0 + e];
                    inner[d, e] += xd * below[e] + below[d] * xe + diagonal * xd * xe;
                }
            }
        }
        SmallLinearAlgebra.Symmetrize(ref inner);
        return inner;
    }

    /// <summary>sum_t A^-1_rr[row, R_t] Lr0[t, :] over a level's slots t (q0 specialised: the inner loop of the inverse).</summary>
    private Vec3 RowTimesSlots(double[] rest, long row, double[] sparse, int start, int end, int q0)
    {
        var slotRow = pattern.SlotRow;
        var result = default(Vec3);
        switch (q0)
        {
            case 1:
            {
                double sum = 0;
                for (int t = start; t < end; t++) sum += rest[row + slotRow[t]] * sparse[t];
                result.X0 = sum;
                break;
            }
            case 2:
            {
                double sum0 = 0, sum1 = 0;
                for (int t = start; t < end; t++)
                {
                    double a = rest[row + slotRow[t]];
                    sum0 += a * sparse[2L * t];
                    sum1 += a * sparse[2L * t + 1];
                }
                result.X0 = sum0;
                result.X1 = sum1;
                break;
            }
            default:
            {
                double sum0 = 0, sum1 = 0, sum2 = 0;
                for (int t = start; t < end; t++)
                {
                    double a = rest[row + slotRow[t]];
                    sum0 += a * sparse[3L * t];
                    sum1 += a * sparse[3L * t + 1];
                    sum2 += a * sparse[3L * t + 2];
                }
                result.X0 = sum0;
                result.X1 = sum1;
                result.X2 = sum2;
                break;
            }
        }
        return result;
    }

    /// <summary>The q_k-by-q_k diagonal blocks, one per level of every term (in the pattern's order).</summary>
    public Mat3[][] DiagonalBlocks()
    {
        int m = pattern.RestSize;
        var result = new Mat3[pattern.Terms.Count][];
        result[0] = (Mat3[])First.Clone();
        for (int k = 1; k < pattern.Terms.Count; k++)
        {
            var term = pattern.Terms[k];
            var blocks = new Mat3[term.Levels];
            for (int l = 0; l < term.Levels; l++)
            {
                int first = pattern.RestOffset[k] + l * term.Q;
                for (int d = 0; d < term.Q; d++)
                    for (int e = 0; e < term.Q; e++) blocks[l][d, e] = Rest[(long)(first + d) * m + first + e];
            }
            result[k] = blocks;
        }
        return result;
    }

    /// <summary>The sum over a later term's levels of its q-by-q diagonal blocks of A^-1_rr.</summary>
    public Mat3 RestBlockSum(int term)
    {
        var t = pattern.Terms[term];
        int m = pattern.RestSize;
        var sum = default(Mat3);
        for (int l = 0; l < t.Levels; l++)
        {
            int first = pattern.RestOffset[term] + l * t.Q;
            for (int d = 0; d < t.Q; d++)
                for (int e = 0; e < t.Q; e++) sum[d, e] += Rest[(long)(first + d) * m + first + e];
        }
        return sum;
    }

    /// <summary>The sum over the first term's levels of its diagonal blocks.</summary>
    public Mat3 FirstBlockSum()
    {
        var sum = default(Mat3);
        foreach (var b in First)
            for (int d = 0; d < pattern.Q0; d++)
                for (int e = 0; e < pattern.Q0; e++) sum[d, e] += b[d, e];
        return sum;
    }
}

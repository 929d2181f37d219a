using GlmmGpu.Engines;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// The random-effects terms of a model with several grouping factors, as lme4's reTrms holds them: ordered by their
/// number of levels, most first (ties in the formula's order), each with its own relative covariance factor
/// Lambda_k; theta is the terms' parameters one after another, each term's lower triangle by columns (lme4's Lind).
/// </summary>
internal sealed class CrossedTerms
{
    /// <summary>Beyond this many effects in the dense block its factorisation (cubic in the size) and storage
    /// (quadratic) are out of reach on one machine.</summary>
    public const int DenseLimit = 12_000;

    public RandomEffectsBlock[] Blocks { get; }
    public ParameterLayout[] Layouts { get; }
    public int[] ThetaOffset { get; }
    public int ThetaCount { get; }
    /// <summary>Each term's first effect in the layout of the spherical effects u (the terms' levels one after another).</summary>
    public int[] EffectOffset { get; }
    public BlockedPattern Pattern { get; }

    public CrossedTerms(ModelFrame frame)
    {
        Blocks = frame.RandomEffects.Select((b, i) => (b, i)).OrderByDescending(x => x.b.LevelCount).ThenBy(x => x.i).Select(x => x.b).ToArray();
        foreach (var block in Blocks)
            if (block.Q > 3)
                throw new GlmmException($"the random-effects term {block.Term} has {block.Q} effects; at most 3 per grouping factor are supported");
        Layouts = Blocks.Select(b => new ParameterLayout(0, b.Q, b.Correlated, hasDispersion: false)).ToArray();
        ThetaOffset = new int[Blocks.Length];
        int count = 0;
        for (int k = 0; k < Blocks.Length; k++)
        {
            ThetaOffset[k] = count;
            count += Layouts[k].ThetaCount;
        }
        ThetaCount = count;
        EffectOffset = new int[Blocks.Length];
        for (int k = 1; k < Blocks.Length; k++) EffectOffset[k] = EffectOffset[k - 1] + Blocks[k - 1].LevelCount * Blocks[k - 1].Q;
        int rest = Blocks.Skip(1).Sum(b => b.LevelCount * b.Q);
        if (rest > DenseLimit)
            throw new GlmmException(
                $"the grouping factors after the largest ({string.Join(", ", Blocks.Skip(1).Select(b => $"'{b.GroupingFactor}' with {b.LevelCount} levels"))}) " +
                $"have {rest} random effects together, more than the {DenseLimit} the blocked Cholesky holds in its dense block: " +
                $"the largest factor '{Blocks[0].GroupingFactor}' ({Blocks[0].LevelCount} levels) stays sparse, the others do not; " +
                "fit a factor with very many levels as the only one crossed with small ones, or as a fixed effect");
        Pattern = new BlockedPattern(Blocks.Select(b => new BlockedTerm(b.Q, b.LevelCount, b.Z, b.LevelOfRow)).ToArray());
    }

    /// <summary>lmer's start: each Lambda_k at the identity.</summary>
    public double[] IdentityTheta()
    {
        var theta = new double[ThetaCount];
        for (int k = 0; k < Blocks.Length; k++)
            for (int t = 0; t < Layouts[k].ThetaCount; t++)
                theta[ThetaOffset[k] + t] = Layouts[k].IsThetaDiagonal(t) ? 1.0 : 0.0;
        return theta;
    }

    public Mat3[] Lambda(ReadOnlySpan<double> theta)
    {
        var lambda = new Mat3[Blocks.Length];
        for (int k = 0; k < Blocks.Length; k++)
            lambda[k] = Layouts[k].Lambda(theta.Slice(ThetaOffset[k], Layouts[k].ThetaCount));
        return lambda;
    }

    /// <summary>Whether theta[t] is a diagonal entry of its term's Lambda.</summary>
    public bool IsDiagonal(int t)
    {
        int k = Array.FindLastIndex(ThetaOffset, o => o <= t);
        return Layouts[k].IsThetaDiagonal(t - ThetaOffset[k]);
    }

    /// <summary>Per term, its slice of the spherical effects u (the first term's levels first, then the dense block's
    /// terms in order), as b = Lambda_k u by level.</summary>
    public double[][][] Modes(double[] u, IReadOnlyList<Mat3> lambda)
    {
        var result = new double[Blocks.Length][][];
        for (int k = 0; k < Blocks.Length; k++)
        {
            int q = Blocks[k].Q, offset = EffectOffset[k];
            var modes = new double[Blocks[k].LevelCount][];
            for (int l = 0; l < modes.Length; l++)
            {
                var ul = default(Vec3);
                for (int d = 0; d < q; d++) ul[d] = u[offset + l * q + d];
                var b = SmallLinearAlgebra.Multiply(lambda[k], q, ul);
                modes[l] = new double[q];
                for (int d = 0; d < q; d++) modes[l][d] = b[d];
            }
            result[k] = modes;
        }
        return result;
    }

    /// <summary>b = Lambda u in the layout of u: term k's level l's effects at <c>EffectOffset[k] + l q_k</c>.</summary>
    public double[] FlatModes(ReadOnlySpan<double> u, IReadOnlyList<Mat3> lambda)
    {
        var b = new double[u.Length];
        for (int k = 0; k < Blocks.Length; k++)
        {
            int q = Blocks[k].Q, offset = EffectOffset[k];
            for (int l = 0; l < Blocks[k].LevelCount; l++)
            {
                int at = offset + l * q;
                var ul = default(Vec3);
                for (int d = 0; d < q; d++) ul[d] = u[at + d];
                var bl = SmallLinearAlgebra.Multiply(lambda[k], q, ul);
                for (int d = 0; d < q; d++) b[at + d] = bl[d];
            }
        }
        return b;
    }

    /// <summary>Conditional covariances of b, level by level (lme4's condVar, q by q row-major): scale^2 Lambda_k V
    /// Lambda_k', V the diagonal blocks of (L L')^-1.</summary>
    public double[][][] ConditionalCovariances(Mat3[][] inverseBlocks, IReadOnlyList<Mat3> lambda, double scale)
    {
        var result = new double[Blocks.Length][][];
        for (int k = 0; k < Blocks.Length; k++)
        {
            int q = Blocks[k].Q;
            var lt = SmallLinearAlgebra.Transpose(lambda[k], q);
            result[k] = inverseBlocks[k].Select(v =>
            {
                var cov = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lambda[k], v, q), lt, q);
                var flat = new double[q * q];
                for (int d = 0; d < q; d++)
                    for (int e = 0; e < q; e++) flat[d * q + e] = scale * scale * cov[d, e];
                return flat;
            }).ToArray();
        }
        return result;
    }

    /// <summary>The terms (by grouping factor) with a variance at its boundary, lme4's isSingular per term.</summary>
    public List<string> SingularTerms(IReadOnlyList<Mat3> lambda, double scale = 1.0)
    {
        var singular = new List<string>();
        for (int k = 0; k < Blocks.Length; k++)
            if (FitChecks.IsSingular(lambda[k], Blocks[k].Q, scale)) singular.Add(Blocks[k].Term.ToString());
        return singular;
    }

    /// <summary>Each factor's modes with their conditional covariances and, from their diagonals, SDs.</summary>
    public List<RandomEffectsModes> Ranef(double[][][] modes, double[][][] covariances) =>
        Blocks.Select((b, k) => new RandomEffectsModes(b.GroupingFactor, b.TermNames, b.Levels, modes[k],
            covariances[k].Select(c => Enumerable.Range(0, b.Q).Select(d => Math.Sqrt(Math.Max(0, c[d * b.Q + d]))).ToArray()).ToArray())
        {
            ConditionalCovariance = covariances[k],
        }).ToList();
}

using GlmmGpu.Kernels.Quadrature;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting;

/// <summary>The quadrature an AGQ fit accepts, checked before any work: nodes per random effect, and the K^q points
/// of the grid per group, each of which costs a pass over the group's rows in every evaluation.</summary>
public static class QuadratureLimits
{
    /// <summary>The most nodes per random effect. The rule itself is right far beyond it (the tests go to 1000);
    /// a larger number is more likely a slip than a need.</summary>
    public const int MaxNodesPerEffect = 200;

    /// <summary>The most grid points per group (K^q): 200 nodes for two random effects, 46 for three.</summary>
    public const int MaxPointsPerGroup = QuadratureGrid.MaxPoints;

    /// <summary>Refuses, naming the option, a node count below 1 or above <see cref="MaxNodesPerEffect"/>, and a K^q
    /// above <see cref="MaxPointsPerGroup"/> for the model's random-effects term.</summary>
    public static void Check(int nodes, RandomEffectsBlock block)
    {
        if (nodes < 1) throw new GlmmException($"--nagq must be at least 1 (got {nodes})");
        if (nodes > MaxNodesPerEffect)
            throw new GlmmException($"--nagq {nodes} is more than the {MaxNodesPerEffect} quadrature nodes per random effect glmm accepts");
        int q = block.Q;
        long points = 1;
        for (int d = 0; d < q; d++) points *= nodes;
        if (points <= MaxPointsPerGroup) return;
        int most = 1;
        while (Math.Pow(most + 1, q) <= MaxPointsPerGroup) most++;
        throw new GlmmException(
            $"--nagq {nodes} with the {q} random effects of {block.Term} makes {nodes}^{q} = {points} quadrature points per group, " +
            $"more than the {MaxPointsPerGroup} glmm evaluates (each point is a pass over the group's rows in every evaluation); " +
            $"use --nagq {most} or fewer, or --method laplace");
    }
}

using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The arrays a factor's selected inverses are written into, kept by the factor (<see cref="BlockedCholesky"/>) so that
/// each evaluation's gradient does not allocate two dense blocks: a selected inverse is valid until the next one is
/// taken from the same factor.
/// </summary>
internal sealed class SelectedInverseStorage(BlockedPattern pattern)
{
    /// <summary>L_rr^-1; its upper triangle stays zero (nothing writes it).</summary>
    public double[] InverseLower { get; } = new double[(long)pattern.RestSize * pattern.RestSize];
    public double[] Rest { get; } = new double[(long)pattern.RestSize * pattern.RestSize];
    public double[] Sparse { get; } = new double[(long)pattern.SlotCount * pattern.Q0];
    public Mat3[] First { get; } = new Mat3[pattern.Levels0];
}

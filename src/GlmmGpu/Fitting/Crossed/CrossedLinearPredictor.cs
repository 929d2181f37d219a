using GlmmGpu.Engines;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>eta = offset + X beta + sum over terms of Z_k b_k[level of the row], with several grouping factors, and
/// how far it moved from the last eta (glmmPQL's convergence sums).</summary>
internal static class CrossedLinearPredictor
{
    /// <summary>Writes the new linear predictor over <paramref name="eta"/> and returns its change.</summary>
    /// <param name="modes">Per term (in <see cref="CrossedTerms.Blocks"/>' order), per level, its q effects.</param>
    public static EtaChange Update(ModelFrame frame, CrossedTerms terms, ReadOnlySpan<double> beta, double[][][] modes, double[] eta)
    {
        int n = frame.RowCount;
        double change = 0, size = 0, largest = 0;
        for (int i = 0; i < n; i++)
        {
            double e = frame.Offset[i];
            for (int a = 0; a < beta.Length; a++) e += frame.X[(long)a * n + i] * beta[a];
            for (int k = 0; k < terms.Blocks.Length; k++)
            {
                var block = terms.Blocks[k];
                var b = modes[k][block.LevelOfRow[i]];
                for (int d = 0; d < block.Q; d++) e += block.Z[(long)d * n + i] * b[d];
            }
            double delta = e - eta[i];
            change += delta * delta;
            largest = Math.Max(largest, Math.Abs(delta));
            size += e * e;
            eta[i] = e;
        }
        return new EtaChange(change, size, largest);
    }
}

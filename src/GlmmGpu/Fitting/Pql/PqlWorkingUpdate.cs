using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Fitting.Pql;

/// <summary>
/// PQL's elementwise step on the CPU: pseudo-responses eta + (y - mu) deta/dmu and working weights
/// (dmu/deta)^2 / V(mu) for every row, through <see cref="IRowLikelihood.Working"/> (the one implementation of
/// that formula, which the ILGPU kernel calls too). Parallel over fixed row blocks.
/// </summary>
internal static class PqlWorkingUpdate
{
    private const int RowBlock = 1 << 15;

    public static void Apply<TModel>(double[] y, double[] w, double[] eta, double[] offset, double phi, double[] response, double[] weight, int threads)
        where TModel : struct, IRowLikelihood
    {
        int n = y.Length, blocks = (n + RowBlock - 1) / RowBlock;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, blocks, options, blk =>
        {
            int end = Math.Min(n, (blk + 1) * RowBlock);
            for (int i = blk * RowBlock; i < end; i++)
            {
                default(TModel).Working(y[i], w[i], eta[i], phi, out double z, out double wt);
                // The linear model is fitted to the pseudo-response with the offset taken out.
                response[i] = z - offset[i];
                weight[i] = wt;
            }
        });
    }
}

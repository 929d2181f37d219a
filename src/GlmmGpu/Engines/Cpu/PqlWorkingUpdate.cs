using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// PQL's elementwise step on the CPU: pseudo-responses eta + (y - mu) deta/dmu and working weights
/// (dmu/deta)^2 / V(mu) for a run of rows, through <see cref="IRowLikelihood.Working"/> (the one implementation of
/// that formula, which the ILGPU kernel calls too). The CPU forms them a row block at a time, just before the
/// block's cross-products (<see cref="Linear.HostStatisticsPass"/>).
/// </summary>
internal static class PqlWorkingUpdate
{
    /// <summary>Rows [start, start + response.Length): the pseudo-response less the offset (the linear model is
    /// fitted without it) and the working weight.</summary>
    public static void Apply<TModel>(double[] y, double[] w, double[] eta, double[] offset, double phi, int start, Span<double> response, Span<double> weight)
        where TModel : struct, IRowLikelihood
    {
        for (int k = 0; k < response.Length; k++)
        {
            int i = start + k;
            default(TModel).Working(y[i], w[i], eta[i], phi, out double z, out double wt);
            response[k] = z - offset[i];
            weight[k] = wt;
        }
    }
}

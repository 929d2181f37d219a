using GlmmGpu.Fitting.Pql;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Kernels;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Linear;

/// <summary>
/// The CPU path of <see cref="ILinearEngine"/>: PQL's working update and the cross-products on all cores, sums
/// in fixed blocks added in order (so results do not depend on the thread count, and the ILGPU engine, which
/// uses the same blocks, adds the same numbers in the same order).
/// </summary>
internal sealed class CpuLinearEngine<TModel> : ILinearEngine where TModel : struct, IRowLikelihood
{
    private const int RowBlock = PqlKernels.RowBlock;
    private readonly ModelFrame frame;
    private readonly RandomEffectsBlock block;
    private readonly int threads;
    private readonly double[] eta, response, weight;

    public CpuLinearEngine(ModelFrame frame, RandomEffectsBlock block, int threads)
    {
        this.frame = frame;
        this.block = block;
        this.threads = threads;
        int n = frame.RowCount;
        eta = new double[n];
        response = new double[n];
        weight = new double[n];
    }

    public string Device => "cpu";

    public LmmSufficientStatistics ResponseStatistics()
    {
        for (int i = 0; i < response.Length; i++) response[i] = frame.Response[i] - frame.Offset[i];
        return LmmSufficientStatistics.Compute(frame, block, response, frame.Weights, threads);
    }

    public void SetEta(double[] value) => value.CopyTo(eta, 0);

    public LmmSufficientStatistics WorkingStatistics(double phi)
    {
        PqlWorkingUpdate.Apply<TModel>(frame.Response, frame.Weights, eta, frame.Offset, phi, response, weight, threads);
        return LmmSufficientStatistics.Compute(frame, block, response, weight, threads);
    }

    public EtaChange UpdateEta(double[] beta, double[][] modes)
    {
        int n = frame.RowCount, p = frame.P, q = block.Q, blocks = (n + RowBlock - 1) / RowBlock;
        var change = new double[blocks];
        var largest = new double[blocks];
        var size = new double[blocks];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, blocks, options, blk =>
        {
            double dc = 0, ds = 0, dm = 0;
            int end = Math.Min(n, (blk + 1) * RowBlock);
            for (int i = blk * RowBlock; i < end; i++)
            {
                // The same order as PqlKernels.UpdateEta: offset, X's columns, Z's columns.
                double e = frame.Offset[i];
                for (int a = 0; a < p; a++) e += frame.XAt(i, a) * beta[a];
                var b = modes[block.LevelOfRow[i]];
                for (int d = 0; d < q; d++) e += block.Z[(long)d * n + i] * b[d];
                double delta = e - eta[i];
                dc += delta * delta;
                dm = Math.Max(dm, Math.Abs(delta));
                ds += e * e;
                eta[i] = e;
            }
            change[blk] = dc;
            largest[blk] = dm;
            size[blk] = ds;
        });
        double totalChange = 0, totalSize = 0, totalMax = 0;
        for (int blk = 0; blk < blocks; blk++)
        {
            totalChange += change[blk];
            totalSize += size[blk];
            totalMax = Math.Max(totalMax, largest[blk]);
        }
        return new EtaChange(totalChange, totalSize, totalMax);
    }

    public void Dispose() { }
}

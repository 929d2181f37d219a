using System.Numerics.Tensors;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Model;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// The CPU path of <see cref="ILinearEngine"/>: PQL's working update and the cross-products in one pass over the
/// rows on all cores (<see cref="HostStatisticsPass"/>), sums in fixed blocks added in order (so results do not
/// depend on the thread count, and the ILGPU engine, which uses the same blocks, adds the same numbers in the
/// same order).
/// </summary>
internal sealed class CpuLinearEngine<TModel> : ILinearEngine where TModel : struct, IRowLikelihood
{
    private const int RowBlock = PqlKernels.RowBlock;
    private readonly ModelFrame frame;
    private readonly RandomEffectsBlock block;
    private readonly ParallelOptions parallel;
    private readonly double[] eta;

    public CpuLinearEngine(ModelFrame frame, RandomEffectsBlock block, ParallelOptions parallel)
    {
        this.frame = frame;
        this.block = block;
        this.parallel = parallel;
        eta = new double[frame.RowCount];
    }

    public string Device => "cpu";

    public LmmSufficientStatistics ResponseStatistics() =>
        HostStatisticsPass.Compute(frame, block, (start, response, weight) =>
        {
            for (int k = 0; k < response.Length; k++) response[k] = frame.Response[start + k] - frame.Offset[start + k];
            frame.Weights.AsSpan(start, weight.Length).CopyTo(weight);
        }, parallel);

    public void SetEta(double[] value) => value.CopyTo(eta, 0);

    public LmmSufficientStatistics WorkingStatistics(double phi) =>
        HostStatisticsPass.Compute(frame, block, (start, response, weight) =>
            PqlWorkingUpdate.Apply<TModel>(frame.Response, frame.Weights, eta, frame.Offset, phi, start, response, weight), parallel);

    public EtaChange UpdateEta(double[] beta, double[][] modes)
    {
        int q = block.Q;
        var flat = new double[modes.Length * q];
        for (int c = 0; c < modes.Length; c++) modes[c].CopyTo(flat, c * q);
        return UpdateEta(beta, flat, q);
    }

    public EtaChange UpdateEta(double[] beta, double[] modes, int q)
    {
        int n = frame.RowCount, p = frame.P, blocks = (n + RowBlock - 1) / RowBlock;
        var change = new double[blocks];
        var largest = new double[blocks];
        var size = new double[blocks];
        Parallel.For(0, blocks, parallel, () => new double[RowBlock], (blk, _, next) =>
        {
            int start = blk * RowBlock, length = Math.Min(n, start + RowBlock) - start;
            // The same order as PqlKernels.UpdateEta: offset, X's columns, Z's columns; X's columns a whole
            // block at a time (elementwise SIMD rounds as the scalar sum does).
            var e = next.AsSpan(0, length);
            frame.Offset.AsSpan(start, length).CopyTo(e);
            for (int a = 0; a < p; a++) TensorPrimitives.MultiplyAdd(frame.X.AsSpan(a * n + start, length), beta[a], e, e);
            for (int d = 0; d < q; d++)
            {
                var z = block.Z.AsSpan(d * n + start, length);
                var level = block.LevelOfRow.AsSpan(start, length);
                for (int i = 0; i < length; i++) e[i] += z[i] * modes[level[i] * q + d];
            }
            var old = eta.AsSpan(start, length);
            double dc = 0, ds = 0, dm = 0;
            for (int i = 0; i < length; i++)
            {
                double delta = e[i] - old[i];
                dc += delta * delta;
                dm = Math.Max(dm, Math.Abs(delta));
                ds += e[i] * e[i];
            }
            e.CopyTo(old);
            change[blk] = dc;
            largest[blk] = dm;
            size[blk] = ds;
            return next;
        }, _ => { });
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

using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Kernels.Linear;
using GlmmGpu.Model;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// <see cref="ILinearEngine"/> on an ILGPU device (CUDA, OpenCL or ILGPU's CPU accelerator). The rows stay on
/// the device across PQL iterations; each iteration uploads beta and the modes (O(p + clusters)) and brings back
/// the per-cluster cross-products and the global partials, which the host adds in block order with the CPU
/// path's blocks: results are reproducible and agree with the CPU path to rounding.
/// </summary>
internal sealed class IlgpuLinearEngine<TModel> : ILinearEngine where TModel : struct, IRowLikelihood
{
    private readonly ModelFrame frame;
    private readonly IlgpuDevice device;
    private readonly bool ownsDevice;
    private readonly ParallelOptions parallel;
    private readonly DeviceLinearModel model;
    private readonly DeviceBuffers outputs;
    private readonly ArrayView<double> ztwz, ztwx, ztwy, globalPartials, changePartials, beta, modes;
    private readonly int g, rowBlocks, etaBlocks, entries;
    private readonly double[] hostModes, hostChange;
    private readonly Action<AcceleratorStream, KernelConfig, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, double, ArrayView<double>, ArrayView<double>> working;
    private readonly Action<AcceleratorStream, KernelConfig, DeviceLinearRows, ArrayView<int>, int, DeviceClusterStatistics> clusterStatistics;
    private readonly Action<AcceleratorStream, KernelConfig, DeviceLinearRows, int, int, int, ArrayView<double>> globalStatistics;
    private readonly Action<AcceleratorStream, KernelConfig, DeviceLinearRows, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>> updateEta;
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<double>, int, int, int, ArrayView<double>> etaChange;
    /// <summary>Threads per group of every launch: whole warps.</summary>
    private readonly int groupThreads;

    /// <summary>The engine disposes <paramref name="device"/> if it owns it; a shared device keeps its compiled
    /// kernels across engines (tests build many engines on one accelerator).</summary>
    public IlgpuLinearEngine(ModelFrame frame, RandomEffectsBlock block, IlgpuDevice device, bool ownsDevice = true, ParallelOptions? parallel = null)
    {
        this.frame = frame;
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.parallel = parallel ?? new ParallelOptions();
        var accelerator = device.Accelerator;
        int n = frame.RowCount, p = frame.P, q = block.Q;
        g = block.LevelCount;
        rowBlocks = LmmSufficientStatistics.RowBlocks(n);
        etaBlocks = (n + PqlKernels.RowBlock - 1) / PqlKernels.RowBlock;
        entries = CrossProducts.GlobalCount(p);
        hostModes = new double[g * q];
        hostChange = new double[3 * etaBlocks];
        try
        {
            model = new DeviceLinearModel(accelerator, frame, block);
            outputs = new DeviceBuffers(accelerator);
            // At least one element each: a model without fixed effects has no Z'WX and no beta.
            ztwz = outputs.Allocate<double>(g * q * q);
            ztwx = outputs.Allocate<double>(Math.Max(1, g * q * p));
            ztwy = outputs.Allocate<double>(g * q);
            globalPartials = outputs.Allocate<double>((long)entries * rowBlocks);
            changePartials = outputs.Allocate<double>(hostChange.Length);
            beta = outputs.Allocate<double>(Math.Max(1, p));
            modes = outputs.Allocate<double>(hostModes.Length);
            groupThreads = Math.Max(accelerator.WarpSize, Math.Min(256, accelerator.MaxNumThreadsPerGroup) / accelerator.WarpSize * accelerator.WarpSize);
            // Through the kernel loader: on CUDA rounded as the CPU path rounds (the linear model's cross-products are
            // then the CPU path's bit for bit) and kept in the kernel cache.
            var loader = new KernelLoader(device);
            working = loader.Load<Action<AcceleratorStream, KernelConfig, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, double, ArrayView<double>, ArrayView<double>>>(
                typeof(PqlKernels).GetMethod(nameof(PqlKernels.WorkingUpdate))!.MakeGenericMethod(typeof(TModel)));
            clusterStatistics = loader.Load<Action<AcceleratorStream, KernelConfig, DeviceLinearRows, ArrayView<int>, int, DeviceClusterStatistics>>(
                typeof(LinearKernels).GetMethod(nameof(LinearKernels.ClusterStatistics))!);
            globalStatistics = loader.Load<Action<AcceleratorStream, KernelConfig, DeviceLinearRows, int, int, int, ArrayView<double>>>(
                typeof(LinearKernels).GetMethod(nameof(LinearKernels.GlobalStatistics))!);
            updateEta = loader.Load<Action<AcceleratorStream, KernelConfig, DeviceLinearRows, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>>>(
                typeof(PqlKernels).GetMethod(nameof(PqlKernels.UpdateEta))!);
            etaChange = loader.Load<Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<double>, int, int, int, ArrayView<double>>>(
                typeof(PqlKernels).GetMethod(nameof(PqlKernels.EtaChange))!);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Device => device.Name;

    private AcceleratorStream Stream => device.Accelerator.DefaultStream;

    /// <summary>A launch of at least <paramref name="count"/> threads, or of <paramref name="count"/> warps.</summary>
    private KernelConfig Threads(long count) => new((int)Math.Max(1, (count + groupThreads - 1) / groupThreads), groupThreads);
    private KernelConfig Warps(long count) => Threads(count * device.Accelerator.WarpSize);

    public LmmSufficientStatistics ResponseStatistics()
    {
        // One call per fit, so y - offset is formed on the host and uploaded, rather than by a kernel of its own.
        var y = new double[model.N];
        for (int i = 0; i < y.Length; i++) y[i] = frame.Response[i] - frame.Offset[i];
        model.Response.CopyFromCPU(y);
        return Statistics(model.Rows(model.W));
    }

    public void SetEta(double[] eta) => model.Eta.CopyFromCPU(eta);

    public LmmSufficientStatistics WorkingStatistics(double phi)
    {
        working(Stream, Threads(model.N), model.N, model.Y, model.W, model.Eta, model.Offset, phi, model.Response, model.Weight);
        return Statistics(model.Rows(model.Weight));
    }

    public EtaChange UpdateEta(double[] coefficients, double[][] clusterModes)
    {
        int q = model.Q;
        for (int c = 0; c < g; c++)
            for (int d = 0; d < q; d++) hostModes[c * q + d] = clusterModes[c][d];
        return UpdateEta(coefficients, hostModes, q);
    }

    /// <summary>The modes are uploaded flat, as PQL keeps them.</summary>
    public EtaChange UpdateEta(double[] coefficients, double[] flatModes, int q)
    {
        if (q != model.Q || flatModes.Length != g * q) throw new ArgumentException($"expected {g} x {model.Q} modes, got {flatModes.Length} for q = {q}");
        if (coefficients.Length > 0) beta.SubView(0, coefficients.Length).CopyFromCPU(coefficients);
        modes.CopyFromCPU(flatModes);
        // The kernel reads only X and Z from the rows, not their weights.
        updateEta(Stream, Threads(model.N), model.Rows(model.Weight), model.Offset, beta, model.LevelOfRow, modes, model.NextEta);
        etaChange(Stream, Warps(etaBlocks), model.Eta, model.NextEta, model.N, PqlKernels.RowBlock, etaBlocks, changePartials);
        changePartials.CopyToCPU(hostChange);
        model.SwapEta();
        double change = 0, size = 0, largest = 0;
        for (int blk = 0; blk < etaBlocks; blk++)
        {
            change += hostChange[3 * blk];
            size += hostChange[3 * blk + 1];
            largest = Math.Max(largest, hostChange[3 * blk + 2]);
        }
        return new EtaChange(change, size, largest);
    }

    /// <summary>Both cross-product kernels, then the results to the host (arrays of their own: a fit keeps them).</summary>
    private LmmSufficientStatistics Statistics(DeviceLinearRows rows)
    {
        int n = model.N, p = model.P, q = model.Q;
        clusterStatistics(Stream, Threads(g), rows, model.ClusterOffsets, g, new DeviceClusterStatistics(ztwz, ztwx, ztwy));
        globalStatistics(Stream, Warps(entries * rowBlocks), rows, rowBlocks, CrossProducts.GlobalRowBlock, entries * rowBlocks, globalPartials);
        var hostZtWZ = new double[g * q * q];
        var hostZtWX = new double[g * q * p];
        var hostZtWy = new double[g * q];
        var partials = new double[entries * rowBlocks];
        ztwz.CopyToCPU(hostZtWZ);
        if (hostZtWX.Length > 0) ztwx.SubView(0, hostZtWX.Length).CopyToCPU(hostZtWX);
        ztwy.CopyToCPU(hostZtWy);
        globalPartials.CopyToCPU(partials);
        return new LmmSufficientStatistics(g, q, p, n, hostZtWZ, hostZtWX, hostZtWy, partials, rowBlocks, parallel: parallel);
    }

    public void Dispose()
    {
        outputs?.Dispose();
        model?.Dispose();
        if (ownsDevice) device.Dispose();
    }
}

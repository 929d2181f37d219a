using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Kernels.Numerics;
using ILGPU;
using ILGPU.Runtime;
using System.Reflection;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// The marginal likelihood on an ILGPU device (CUDA, OpenCL or ILGPU's CPU accelerator). The rows sit on the device
/// in the slot order of a <see cref="SlotLayout"/> (small clusters' rows interleaved across a warp's lanes) and stay
/// there across evaluations where they fit, or are streamed through it batch by batch where they do not. One
/// evaluation, at one parameter vector or at several together, is one pass over the rows: per batch up to three
/// cluster kernels (a thread, a warp or a group per cluster), each forming eta, integrating with the same
/// <see cref="ClusterIntegrator"/> the CPU path runs and adding its block's partial sums (X'alpha included), then
/// one kernel that adds the blocks' partials in a fixed order. Results are bitwise reproducible and do not depend
/// on the batch size or on whether rows are streamed.
/// </summary>
internal sealed class IlgpuMarginalLikelihood<TModel> : IMarginalLikelihoodEngine where TModel : struct, IRowLikelihood
{
    /// <summary>The most parameter vectors one pass evaluates; more are taken in passes of this many.</summary>
    public const int MaxVectorsPerPass = 32;
    private static readonly long BytesPerOutput = System.Runtime.CompilerServices.Unsafe.SizeOf<ClusterOutput>();
    /// <summary>Device bytes per slot and vector of a batch's work arrays: eta, alpha and three scratch doubles.</summary>
    private const long WorkBytesPerSlot = 5 * sizeof(double);

    private MarginalLikelihoodData data;
    private readonly IlgpuDevice device;
    private readonly bool ownsDevice;
    private readonly SlotLayout layout;
    private readonly DeviceModel model;
    private readonly ClusterSizePolicy sizePolicy;
    private readonly DeviceBuffers work;
    private readonly int workStride, values;
    private int vectorCapacity, modeRegions;
    private ArrayView<double> eta, alpha, scratch, betas, partials, totals;
    private ArrayView<IntegrandParameters> parameters;
    private MemoryBuffer1D<Vec3, Stride1D.Dense> modes;
    private MemoryBuffer1D<ClusterOutput, Stride1D.Dense>? outputs;
    private readonly Action<AcceleratorStream, KernelConfig, EvaluationViews, ArrayView<int>, int, int, int>? byThread, byWarp;
    private readonly Action<AcceleratorStream, KernelConfig, EvaluationViews, ArrayView<int>, int, int>? byGroup;
    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, ArrayView<double>> sumBlocks;
    private readonly ClusterOutput[] clusters;
    private ClusterOutput[]? batchOutputs;
    private double[] lastPsi = [];
    private bool clustersCurrent;

    /// <summary><paramref name="batchClusters"/> caps clusters per batch; 0 sizes batches to the device's memory.
    /// The engine disposes <paramref name="device"/> if it owns it; a shared device keeps its compiled kernels
    /// across engines (tests build many engines on one accelerator).</summary>
    /// <param name="sizePolicy">Which clusters a thread, a warp or a group integrates; null for the device's default.</param>
    /// <param name="streamRows">Null streams the rows only when they do not fit the device; tests force either way.</param>
    /// <param name="parallel">Threads and scheduler for putting streamed rows into slot order (null: all cores).</param>
    public IlgpuMarginalLikelihood(MarginalLikelihoodData data, IlgpuDevice device, int batchClusters, bool ownsDevice = true,
        ClusterSizePolicy? sizePolicy = null, bool? streamRows = null, ParallelOptions? parallel = null)
    {
        this.data = data;
        this.device = device;
        this.ownsDevice = ownsDevice;
        var accelerator = device.Accelerator;
        work = new DeviceBuffers(accelerator);
        try
        {
            this.sizePolicy = sizePolicy ?? ClusterSizePolicy.For(accelerator);
            layout = SlotLayout.Build(data.ClusterOffsets, this.sizePolicy, accelerator.WarpSize, this.sizePolicy.GroupThreads);
            long free = device.FreeBytes(0);
            long rowBytes = layout.SlotCount * DeviceModel.BytesPerSlot(data);
            // Rows stay resident when they take under 60% of free memory, leaving room for the per-cluster state
            // and the batches' work arrays; otherwise each evaluation streams them in, batch by batch.
            bool streamed = streamRows ?? rowBytes > free / 10 * 6;
            long freeForBatches = (streamed ? free : free - rowBytes) - (long)data.ClusterCount * (sizeof(int) * 3 + 24);
            long perSlot = WorkBytesPerSlot + (streamed ? DeviceModel.BytesPerSlot(data) : 0);
            long budget = streamed ? Math.Max(16L << 20, freeForBatches / 2) : IlgpuDevice.BatchBudget(freeForBatches, accelerator);
            Batches = layout.Split(batchClusters > 0 ? batchClusters : int.MaxValue, budget, BytesPerOutput, perSlot);
            workStride = Batches.Max(b => b.SlotCount);
            model = new DeviceModel(accelerator, data, layout, streamed ? workStride : layout.SlotCount, parallel);
            values = EvaluationViews.ClusterValues + data.P;
            modes = accelerator.Allocate1D<Vec3>(data.ClusterCount);
            modes.MemSetToZero();
            modeRegions = 1;
            AllocateVectors(1);
            // The cooperative kernels are compiled only when some cluster needs them: each is another copy of the
            // integrator for ILGPU to compile.
            var loader = new KernelLoader(device);
            if (layout.ThreadClusters > 0)
                byThread = loader.Load<Action<AcceleratorStream, KernelConfig, EvaluationViews, ArrayView<int>, int, int, int>>(ClusterKernel(nameof(ClusterKernels.IntegrateByThread)));
            if (layout.WarpClusters > 0)
                byWarp = loader.Load<Action<AcceleratorStream, KernelConfig, EvaluationViews, ArrayView<int>, int, int, int>>(ClusterKernel(nameof(ClusterKernels.IntegrateByWarp)));
            if (layout.GroupClusters > 0)
                byGroup = loader.Load<Action<AcceleratorStream, KernelConfig, EvaluationViews, ArrayView<int>, int, int>>(ClusterKernel(nameof(ClusterKernels.IntegrateByGroup)));
            sumBlocks = loader.Load<Action<AcceleratorStream, KernelConfig, ArrayView<double>, int, ArrayView<double>>>(
                typeof(ReductionKernels).GetMethod(nameof(ReductionKernels.SumBlocks))!);
            KernelNotes = loader.Notes;
        }
        catch (Exception e)
        {
            Dispose();
            if (e is GlmmException) throw;
            throw new GlmmException($"could not set up the fit on {device.Name} ({e.Message}); try --device cpu", e);
        }
        clusters = new ClusterOutput[data.ClusterCount];
    }

    /// <summary>A cluster kernel for this model and its number of random effects.</summary>
    private MethodInfo ClusterKernel(string name) =>
        typeof(ClusterKernels).GetMethod(name)!.MakeGenericMethod(typeof(TModel), EffectCounts.Of(data.Q));

    /// <summary>How each kernel was loaded (compiled, from the kernel cache, or by ILGPU and why).</summary>
    public IReadOnlyList<string> KernelNotes { get; } = [];

    public ParameterLayout Layout => data.Layout;
    public string Device => device.Name;
    /// <summary>How the layout's blocks are split into launches.</summary>
    public IReadOnlyList<SlotBatch> Batches { get; }
    /// <summary>Whether the rows are streamed through the device batch by batch (they do not fit it).</summary>
    public bool StreamsRows => model.Streamed;
    /// <summary>Clusters integrated by a thread, a warp and a group each.</summary>
    public (int Threads, int Warps, int Groups) ClassCounts => (layout.ThreadClusters, layout.WarpClusters, layout.GroupClusters);
    /// <summary>Slots of the device layout over rows of the model: the cost of interleaving small clusters.</summary>
    public double SlotsPerRow => (double)layout.SlotCount / Math.Max(1, data.N);

    /// <summary>
    /// The outputs of the last evaluation at one vector. The kernels write them only when asked (at 1e7 clusters they
    /// are about 2 GB, more than the evaluation's own writes): the first read after an evaluation repeats it at the
    /// same point with the outputs kept. Its Newton solves start at the modes that evaluation left, so they agree
    /// with it to within the solve's tolerance.
    /// </summary>
    public ClusterOutput[] Clusters
    {
        get
        {
            if (!clustersCurrent && lastPsi.Length > 0)
            {
                Run(lastPsi, 1, 0, writeOutputs: true, wantGradient: false);
                clustersCurrent = true;
            }
            return clusters;
        }
    }

    public void UseNodes(int nodesPerDimension)
    {
        data = data.WithNodes(nodesPerDimension);
        model.UseGrid(data.Grid);
    }

    public double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        lastPsi = psi.ToArray();
        clustersCurrent = false;
        Span<double> logLik = stackalloc double[1];
        try
        {
            Finish(Run(lastPsi, 1, 0, writeOutputs: false, !gradient.IsEmpty), 1, logLik, gradient);
        }
        catch (Exception e) when (e is not GlmmException)
        {
            throw Failure(e);
        }
        return logLik[0];
    }

    public void EvaluateMany(ReadOnlySpan<double> psis, Span<double> logLiks, Span<double> gradients)
    {
        int count = data.Layout.Count, vectors = logLiks.Length;
        if (psis.Length != vectors * count) throw new ArgumentException($"{psis.Length} values for {vectors} vectors of {count}");
        try
        {
            int perPass = Math.Min(MaxVectorsPerPass, VectorsThatFit());
            for (int first = 0; first < vectors; first += perPass)
            {
                int k = Math.Min(perPass, vectors - first);
                EnsureVectors(k);
                // Each vector's Newton solves start from the modes of the latest single evaluation.
                for (int v = 0; v < k; v++)
                    modes.View.SubView(0, data.ClusterCount).CopyTo(modes.View.SubView((long)(1 + v) * data.ClusterCount, data.ClusterCount));
                var totalsOfChunk = Run(psis.Slice(first * count, k * count).ToArray(), k, 1, writeOutputs: false, !gradients.IsEmpty);
                Finish(totalsOfChunk, k, logLiks.Slice(first, k), gradients.IsEmpty ? gradients : gradients.Slice(first * count, k * count));
            }
        }
        catch (Exception e) when (e is not GlmmException)
        {
            throw Failure(e);
        }
    }

    private GlmmException Failure(Exception e) =>
        new($"the device {device.Name} failed during an evaluation ({e.Message}); try --device cpu", e);

    /// <summary>One pass over the rows at <paramref name="vectors"/> parameter vectors (their modes from region
    /// <paramref name="modeRegion"/> on); returns the totals, <see cref="values"/> per vector.</summary>
    private double[] Run(double[] psis, int vectors, int modeRegion, bool writeOutputs, bool wantGradient)
    {
        var accelerator = device.Accelerator;
        int p = data.P, count = data.Layout.Count;
        var hostBetas = new double[Math.Max(1, vectors * p)];
        var hostParameters = new IntegrandParameters[vectors];
        for (int v = 0; v < vectors; v++)
        {
            var psi = psis.AsSpan(v * count, count);
            psi[..p].CopyTo(hostBetas.AsSpan(v * p));
            hostParameters[v] = data.Layout.Integrand(psi, wantGradient);
        }
        betas.SubView(0, hostBetas.Length).CopyFromCPU(hostBetas);
        parameters.SubView(0, vectors).CopyFromCPU(hostParameters);
        if (writeOutputs && outputs is null)
        {
            outputs = accelerator.Allocate1D<ClusterOutput>(Batches.Max(b => b.ClusterCount));
            batchOutputs = new ClusterOutput[outputs.Length];
        }
        var views = new EvaluationViews
        {
            X = model.X,
            Offset = model.Offset,
            Betas = betas,
            Parameters = parameters,
            RowCounts = model.RowCounts,
            SlotStarts = model.SlotStarts,
            Modes = modes.View.SubView((long)modeRegion * data.ClusterCount, (long)vectors * data.ClusterCount),
            Outputs = outputs is null ? default : outputs.View,
            Partials = partials,
            P = p,
            Vectors = vectors,
            ClusterCount = data.ClusterCount,
            Blocks = layout.Blocks,
            Values = values,
            WriteOutputs = writeOutputs,
        };
        foreach (var batch in Batches)
        {
            if (model.Streamed) model.LoadBatch(batch);
            views.Rows = new DeviceRows(eta, model.Y, model.W, model.Z, alpha, scratch, model.GridZ, model.GridLogWeight,
                model.DataStride, workStride, data.Q, model.Streamed ? batch.FirstSlot : 0, batch.FirstSlot);
            var (threads, warps, groups) = layout.Classes(batch);
            if (threads.BlockCount > 0)
                byThread!(accelerator.DefaultStream, new KernelConfig(threads.BlockCount * vectors, layout.ThreadsPerBlock), views, List(threads), threads.ClusterCount,
                    threads.FirstBlock, threads.FirstCluster - batch.FirstCluster);
            if (warps.BlockCount > 0)
                byWarp!(accelerator.DefaultStream, new KernelConfig(warps.BlockCount * vectors, sizePolicy.GroupThreads), views, List(warps), warps.ClusterCount,
                    warps.FirstBlock, warps.FirstCluster - batch.FirstCluster);
            if (groups.BlockCount > 0)
                byGroup!(accelerator.DefaultStream, new KernelConfig(groups.BlockCount * vectors, sizePolicy.GroupThreads), views, List(groups),
                    groups.FirstBlock, groups.FirstCluster - batch.FirstCluster);
            if (writeOutputs)
            {
                outputs!.View.AsContiguous().SubView(0, batch.ClusterCount).CopyToCPU(batchOutputs.AsSpan(0, batch.ClusterCount));
                for (int i = 0; i < batch.ClusterCount; i++) clusters[layout.Order[batch.FirstCluster + i]] = batchOutputs![i];
            }
        }
        sumBlocks(accelerator.DefaultStream, new KernelConfig(vectors * values, sizePolicy.GroupThreads), partials, layout.Blocks, totals);
        var hostTotals = new double[vectors * values];
        totals.SubView(0, hostTotals.Length).CopyToCPU(hostTotals);
        return hostTotals;
    }

    private ArrayView<int> List(ClassRange range) => model.Order.SubView(range.FirstCluster, range.ClusterCount);

    /// <summary>Log-likelihoods and gradients from the totals of <see cref="Run"/>.</summary>
    private void Finish(double[] hostTotals, int vectors, Span<double> logLiks, Span<double> gradients)
    {
        var layoutOfPsi = data.Layout;
        int count = layoutOfPsi.Count;
        for (int v = 0; v < vectors; v++)
        {
            var t = hostTotals.AsSpan(v * values, values);
            double logLik = data.Constant + t[0];
            if (double.IsNaN(logLik)) logLik = double.NegativeInfinity;
            logLiks[v] = logLik;
            if (gradients.IsEmpty) continue;
            var gradient = gradients.Slice(v * count, count);
            if (double.IsNegativeInfinity(logLik)) continue;
            t.Slice(EvaluationViews.ClusterValues, data.P).CopyTo(gradient);
            var lambdaGrad = new Mat3 { A00 = t[2], A10 = t[3], A11 = t[4], A20 = t[5], A21 = t[6], A22 = t[7] };
            layoutOfPsi.ScatterLambdaGradient(lambdaGrad, gradient);
            if (layoutOfPsi.HasDispersion) gradient[layoutOfPsi.DispersionIndex] = t[1];
        }
    }

    /// <summary>Work arrays, betas, parameters and partial sums for <paramref name="vectors"/> vectors at once.</summary>
    private void AllocateVectors(int vectors)
    {
        work.Dispose();
        eta = work.Allocate<double>((long)vectors * workStride);
        alpha = work.Allocate<double>((long)vectors * workStride);
        scratch = work.Allocate<double>(3L * vectors * workStride);
        betas = work.Allocate<double>(Math.Max(1L, (long)vectors * data.P));
        parameters = work.Allocate<IntegrandParameters>(vectors);
        partials = work.Allocate<double>((long)vectors * values * layout.Blocks);
        totals = work.Allocate<double>((long)vectors * values);
        vectorCapacity = vectors;
    }

    /// <summary>How many vectors one pass can hold in half the device's free memory (at least one): each takes
    /// its work arrays, modes and partial sums.</summary>
    private int VectorsThatFit()
    {
        long perVector = WorkBytesPerSlot * workStride + 24L * data.ClusterCount + 8L * values * layout.Blocks;
        long held = vectorCapacity * (WorkBytesPerSlot * workStride + 8L * values * layout.Blocks) + (modeRegions - 1) * 24L * data.ClusterCount;
        return (int)Math.Clamp((device.FreeBytes(0) + held) / 2 / perVector, 1, MaxVectorsPerPass);
    }

    /// <summary>Room for <paramref name="vectors"/> vectors and their modes (region 0 is the single evaluation's).</summary>
    private void EnsureVectors(int vectors)
    {
        if (vectors > vectorCapacity) AllocateVectors(vectors);
        if (1 + vectors <= modeRegions) return;
        var grown = device.Accelerator.Allocate1D<Vec3>((long)(1 + vectors) * data.ClusterCount);
        modes.View.SubView(0, data.ClusterCount).CopyTo(grown.View.SubView(0, data.ClusterCount));
        modes.Dispose();
        modes = grown;
        modeRegions = 1 + vectors;
    }

    public void Dispose()
    {
        work?.Dispose();
        modes?.Dispose();
        outputs?.Dispose();
        model?.Dispose();
        if (ownsDevice) device.Dispose();
    }
}

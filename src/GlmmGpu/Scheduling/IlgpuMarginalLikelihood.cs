using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Kernels;
using GlmmGpu.Kernels.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Scheduling;

/// <summary>
/// The marginal likelihood on an ILGPU device (CUDA, OpenCL or ILGPU's CPU accelerator). The model's rows stay on
/// the device across evaluations where they fit, and are streamed through it batch by batch where they do not;
/// each evaluation uploads beta, forms eta, integrates the clusters batch by batch with the same
/// <see cref="ClusterIntegrator"/> the CPU path runs (a thread, a warp or a group per cluster by its size), and
/// finishes the kernels' fixed-order partial sums on the host. Results are bitwise reproducible and do not depend
/// on the batch size or on whether rows are streamed.
/// </summary>
internal sealed class IlgpuMarginalLikelihood<TModel> : IMarginalLikelihood where TModel : struct, IRowLikelihood
{
    /// <summary>Clusters per partial sum: a few thousand partials for a million clusters keeps the reduction
    /// parallel on a GPU and cheap to finish on the host.</summary>
    private const int ClusterBlock = 256;
    /// <summary>Rows per partial sum of X'alpha.</summary>
    private const int RowBlock = 4096;
    /// <summary>Device bytes per cluster and per row of a batch: one <see cref="ClusterOutput"/>, three scratch doubles.</summary>
    private static readonly long BytesPerCluster = System.Runtime.CompilerServices.Unsafe.SizeOf<ClusterOutput>();
    private const long ScratchBytesPerRow = 3 * sizeof(double);

    private MarginalLikelihoodData data;
    private readonly IlgpuDevice device;
    private readonly bool ownsDevice;
    private readonly DeviceModel model;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> scratch, clusterPartials, fixedPartials;
    private readonly MemoryBuffer1D<ClusterOutput, Stride1D.Dense> outputs;
    private readonly double[] hostClusterPartials, hostFixedPartials;
    private readonly int clusterBlocks, rowBlocks;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, ArrayView<double>> predictor;
    private readonly Action<Index1D, DeviceRows, ArrayView<int>, ArrayView<int>, int, IntegrandParameters, ArrayView<Vec3>, ArrayView<ClusterOutput>> integrate;
    private readonly Action<KernelConfig, DeviceRows, ArrayView<int>, ArrayView<int>, int, int, IntegrandParameters, ArrayView<Vec3>, ArrayView<ClusterOutput>>? integrateByWarp;
    private readonly Action<KernelConfig, DeviceRows, ArrayView<int>, ArrayView<int>, int, IntegrandParameters, ArrayView<Vec3>, ArrayView<ClusterOutput>>? integrateByGroup;
    private readonly ClusterSizePolicy sizePolicy;
    private readonly ClusterSizeClasses sizeClasses;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> clusterLists;
    private readonly Action<Index1D, ArrayView<ClusterOutput>, int, int, int, int, ArrayView<double>> clusterSums;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int, int, int, int, ArrayView<double>> fixedGradient;

    /// <summary><paramref name="batchClusters"/> caps clusters per batch; 0 sizes batches to the device's memory.
    /// The engine disposes <paramref name="device"/> if it owns it; a shared device keeps its compiled kernels
    /// across engines (tests build many engines on one accelerator).</summary>
    /// <param name="keepOutputsResident">Null decides by the device's free memory; tests force either way.</param>
    /// <param name="sizePolicy">Which clusters a thread, a warp or a group integrates; null for the device's default.</param>
    /// <param name="streamRows">Null streams the rows only when they do not fit the device; tests force either way.</param>
    public IlgpuMarginalLikelihood(MarginalLikelihoodData data, IlgpuDevice device, int batchClusters, bool ownsDevice = true, bool? keepOutputsResident = null,
        ClusterSizePolicy? sizePolicy = null, bool? streamRows = null)
    {
        this.data = data;
        this.device = device;
        this.ownsDevice = ownsDevice;
        var accelerator = device.Accelerator;
        try
        {
            long free = device.FreeBytes(0);
            long rowBytes = DeviceModel.BytesPerRow(data);
            long residentRows = data.N * rowBytes;
            // Rows stay resident when they take under 60% of free memory, leaving room for the per-cluster state
            // and the batches' scratch; otherwise each evaluation streams them in, batch by batch.
            bool streamed = streamRows ?? residentRows > free / 10 * 6;
            long freeForBatches = streamed ? free : free - residentRows;
            // Every cluster's output stays resident when half of what is left holds them (2 GB at 1e7 clusters,
            // small beside a data-centre GPU's): then batches are sized by their rows alone and no output crosses
            // to the host until asked for.
            residentOutputs = keepOutputsResident ?? (long)data.ClusterCount * BytesPerCluster <= freeForBatches / 2;
            long perCluster = residentOutputs ? 0 : BytesPerCluster;
            long perRow = ScratchBytesPerRow + (streamed ? rowBytes : 0);
            long budget = streamed
                ? Math.Max(16L << 20, (freeForBatches - (residentOutputs ? data.ClusterCount * BytesPerCluster : 0)) / 2)
                : IlgpuDevice.BatchBudget(freeForBatches);
            Batches = batchClusters > 0
                ? BatchPlan.Split(data.ClusterOffsets, batchClusters, long.MaxValue, perCluster, perRow)
                : BatchPlan.Split(data.ClusterOffsets, int.MaxValue, budget, perCluster, perRow);
            model = new DeviceModel(accelerator, data, streamed ? Batches.Max(b => b.RowCount) : data.N);
            clusterBlocks = (data.ClusterCount + ClusterBlock - 1) / ClusterBlock;
            rowBlocks = (data.N + RowBlock - 1) / RowBlock;
            this.sizePolicy = sizePolicy ?? ClusterSizePolicy.For(accelerator);
            sizeClasses = ClusterSizeClasses.Build(data.ClusterOffsets, Batches, this.sizePolicy);
            clusterLists = accelerator.Allocate1D(sizeClasses.Lists);
            scratch = accelerator.Allocate1D<double>(3L * Batches.Max(b => b.RowCount));
            outputs = accelerator.Allocate1D<ClusterOutput>(residentOutputs ? data.ClusterCount : Batches.Max(b => b.ClusterCount));
            clusterPartials = accelerator.Allocate1D<double>((long)clusterBlocks * ReductionKernels.ClusterPartialWidth);
            fixedPartials = accelerator.Allocate1D<double>(Math.Max(1L, (long)rowBlocks * data.P));
            hostClusterPartials = new double[clusterPartials.Length];
            hostFixedPartials = new double[fixedPartials.Length];
            predictor = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, ArrayView<double>>(
                PredictorKernels.FixedPredictor);
            integrate = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceRows, ArrayView<int>, ArrayView<int>, int, IntegrandParameters, ArrayView<Vec3>, ArrayView<ClusterOutput>>(
                ClusterKernels.Integrate<TModel>);
            // The cooperative kernels are compiled only when some cluster needs them: each is another copy of the
            // integrator for ILGPU to compile (seconds on a GPU).
            if (sizeClasses.Warps.Any(l => l.Count > 0))
                integrateByWarp = accelerator.LoadStreamKernel<DeviceRows, ArrayView<int>, ArrayView<int>, int, int, IntegrandParameters, ArrayView<Vec3>, ArrayView<ClusterOutput>>(
                    ClusterKernels.IntegrateByWarp<TModel>);
            if (sizeClasses.Groups.Any(l => l.Count > 0))
                integrateByGroup = accelerator.LoadStreamKernel<DeviceRows, ArrayView<int>, ArrayView<int>, int, IntegrandParameters, ArrayView<Vec3>, ArrayView<ClusterOutput>>(
                    ClusterKernels.IntegrateByGroup<TModel>);
            clusterSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<ClusterOutput>, int, int, int, int, ArrayView<double>>(
                ReductionKernels.ClusterSums);
            fixedGradient = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int, int, int, int, ArrayView<double>>(
                ReductionKernels.FixedGradient);
        }
        catch (Exception e)
        {
            Dispose();
            if (e is GlmmException) throw;
            throw new GlmmException($"could not set up the fit on {device.Name} ({e.Message}); try --device cpu", e);
        }
        clusters = new ClusterOutput[data.ClusterCount];
    }

    public ParameterLayout Layout => data.Layout;
    public string Device => device.Name;

    /// <summary>
    /// Fetched from the device when asked for, not after every evaluation: at 1e7 clusters the outputs are about
    /// 2 GB, which would cost more to move each time than the evaluation itself. Only where they cannot all stay
    /// on the device are a batch's outputs copied as they are made (the next batch overwrites them).
    /// </summary>
    public ClusterOutput[] Clusters
    {
        get
        {
            if (clustersOnDevice)
            {
                outputs.View.AsContiguous().SubView(0, clusters.Length).CopyToCPU(clusters.AsSpan());
                clustersOnDevice = false;
            }
            return clusters;
        }
    }

    private readonly ClusterOutput[] clusters;
    private readonly bool residentOutputs;
    private bool clustersOnDevice;
    /// <summary>How the clusters are split into launches.</summary>
    public IReadOnlyList<ClusterBatch> Batches { get; }
    /// <summary>Whether the rows are streamed through the device batch by batch (they do not fit it).</summary>
    public bool StreamsRows => model.Streamed;

    /// <summary>Clusters integrated by a thread, a warp and a group each, over all batches.</summary>
    public (int Threads, int Warps, int Groups) ClassCounts =>
        (sizeClasses.Threads.Sum(l => l.Count), sizeClasses.Warps.Sum(l => l.Count), sizeClasses.Groups.Sum(l => l.Count));

    public void UseNodes(int nodesPerDimension)
    {
        data = data.WithNodes(nodesPerDimension);
        model.UseGrid(device.Accelerator, data.Grid);
    }

    public double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        try
        {
            return EvaluateOnDevice(psi, gradient);
        }
        catch (Exception e) when (e is not GlmmException)
        {
            throw new GlmmException($"the device {device.Name} failed during an evaluation ({e.Message}); try --device cpu", e);
        }
    }

    private double EvaluateOnDevice(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        var layout = data.Layout;
        bool wantGradient = !gradient.IsEmpty;
        int n = data.N, p = data.P;
        bool streamed = model.Streamed;
        model.Beta.CopyFromCPU(psi[..p]);
        if (!streamed) predictor(n, model.X, model.Offset, model.Beta, n, p, model.Eta);

        var parameters = layout.Integrand(psi, wantGradient);
        var rows = model.Rows(scratch.View, layout.Q);
        for (int b = 0; b < Batches.Count; b++)
        {
            var batch = Batches[b];
            if (streamed)
            {
                model.LoadRows(batch.FirstRow, batch.RowCount);
                predictor(batch.RowCount, model.X, model.Offset, model.Beta, model.RowCapacity, p, model.Eta);
            }
            // Launches on one stream run in order, so each batch's sums see the partials the previous batch left.
            var batchOutputs = residentOutputs ? outputs.View.SubView(batch.FirstCluster, batch.ClusterCount) : outputs.View;
            var batchRows = rows.ForBatch(batch.FirstRow, streamed);
            var (threads, warps, groups) = (sizeClasses.Threads[b], sizeClasses.Warps[b], sizeClasses.Groups[b]);
            if (threads.Count > 0)
                integrate(threads.Count, batchRows, model.ClusterOffsets, List(threads), batch.FirstCluster, parameters, model.Modes, batchOutputs);
            if (warps.Count > 0)
            {
                int perGroup = sizePolicy.WarpsPerGroup;
                integrateByWarp!(new KernelConfig((warps.Count + perGroup - 1) / perGroup, perGroup * device.Accelerator.WarpSize),
                    batchRows, model.ClusterOffsets, List(warps), warps.Count, batch.FirstCluster, parameters, model.Modes, batchOutputs);
            }
            if (groups.Count > 0)
                integrateByGroup!(new KernelConfig(groups.Count, sizePolicy.GroupThreads),
                    batchRows, model.ClusterOffsets, List(groups), batch.FirstCluster, parameters, model.Modes, batchOutputs);
            int firstBlock = batch.FirstCluster / ClusterBlock;
            int lastBlock = (batch.FirstCluster + batch.ClusterCount - 1) / ClusterBlock;
            clusterSums(lastBlock - firstBlock + 1, batchOutputs, batch.FirstCluster, batch.ClusterCount, firstBlock, ClusterBlock, clusterPartials.View);
            // Streamed rows leave the device with the next batch, so their share of X'alpha is taken now.
            if (streamed && wantGradient) FixedGradientPartials(batch.FirstRow, batch.RowCount);
            if (!residentOutputs && Batches.Count > 1)
                outputs.View.AsContiguous().SubView(0, batch.ClusterCount).CopyToCPU(clusters.AsSpan(batch.FirstCluster, batch.ClusterCount));
        }
        clustersOnDevice = residentOutputs || Batches.Count == 1;
        clusterPartials.View.AsContiguous().CopyToCPU(hostClusterPartials.AsSpan());

        double logLik = data.Constant, phiGrad = 0;
        var lambdaGrad = default(Mat3);
        for (int blk = 0; blk < clusterBlocks; blk++)
        {
            int at = blk * ReductionKernels.ClusterPartialWidth;
            logLik += hostClusterPartials[at];
            phiGrad += hostClusterPartials[at + 1];
            lambdaGrad.A00 += hostClusterPartials[at + 2];
            lambdaGrad.A10 += hostClusterPartials[at + 3];
            lambdaGrad.A11 += hostClusterPartials[at + 4];
            lambdaGrad.A20 += hostClusterPartials[at + 5];
            lambdaGrad.A21 += hostClusterPartials[at + 6];
            lambdaGrad.A22 += hostClusterPartials[at + 7];
        }
        if (double.IsNaN(logLik)) logLik = double.NegativeInfinity;
        if (!wantGradient || double.IsNegativeInfinity(logLik)) return logLik;

        if (!streamed) FixedGradientPartials(0, n);
        FixedGradient(gradient[..p]);
        layout.ScatterLambdaGradient(lambdaGrad, gradient);
        if (layout.HasDispersion) gradient[layout.DispersionIndex] = phiGrad;
        return logLik;
    }

    private ArrayView<int> List(ClusterList list) => clusterLists.View.SubView(list.Offset, list.Count);

    /// <summary>The X'alpha partials of the fixed row blocks that rows [first, first + count) touch; the row buffers
    /// hold rows from <paramref name="first"/> on (all rows from 0 when resident, the batch's when streamed).</summary>
    private void FixedGradientPartials(int first, int count)
    {
        int p = data.P;
        if (p == 0 || count == 0) return;
        int firstBlock = first / RowBlock, span = (first + count - 1) / RowBlock - firstBlock + 1;
        fixedGradient(p * span, model.X, model.Alpha, model.RowCapacity, first, count, firstBlock, span, rowBlocks, RowBlock, fixedPartials.View);
    }

    /// <summary>X'alpha from the kernel's per-block partials, each column's blocks added in order.</summary>
    private void FixedGradient(Span<double> gradient)
    {
        int p = data.P;
        if (p == 0) return;
        fixedPartials.View.AsContiguous().CopyToCPU(hostFixedPartials.AsSpan());
        for (int k = 0; k < p; k++)
        {
            double s = 0;
            for (int blk = 0; blk < rowBlocks; blk++) s += hostFixedPartials[k * rowBlocks + blk];
            gradient[k] = s;
        }
    }

    public void Dispose()
    {
        scratch?.Dispose();
        clusterLists?.Dispose();
        outputs?.Dispose();
        clusterPartials?.Dispose();
        fixedPartials?.Dispose();
        model?.Dispose();
        if (ownsDevice) device.Dispose();
    }
}

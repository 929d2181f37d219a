using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Kernels.Quadrature;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// The model's arrays on the device, in the slot order of a <see cref="SlotLayout"/>. Uploaded once per fit: the
/// per-cluster row counts and first slots, the order of the clusters, the warm-start modes (which persist between
/// evaluations as on the CPU path) and the quadrature grid. The row data (X, offset, y, w, Z) are resident too when
/// they fit (<see cref="DataStride"/> = every slot); otherwise their buffers hold one batch's slots at a time and
/// <see cref="LoadBatch"/> puts each batch's rows there, every evaluation.
/// </summary>
internal sealed class DeviceModel : IDisposable
{
    private readonly DeviceBuffers buffers;
    private readonly MarginalLikelihoodData data;
    private readonly SlotLayout layout;
    private readonly Accelerator accelerator;
    private double[]? staging;
    private readonly ParallelOptions parallel;

    /// <summary>Bytes of device memory per slot of row data: X's p columns, Z's q, offset, y, w.</summary>
    public static long BytesPerSlot(MarginalLikelihoodData data) => 8L * (data.P + data.Q + 3);

    public DeviceModel(Accelerator accelerator, MarginalLikelihoodData data, SlotLayout layout, int dataStride, ParallelOptions? parallel = null)
    {
        this.accelerator = accelerator;
        this.data = data;
        this.layout = layout;
        DataStride = dataStride;
        this.parallel = parallel ?? new ParallelOptions();
        buffers = new DeviceBuffers(accelerator);
        try
        {
            X = buffers.Allocate<double>(Math.Max(1L, (long)data.P * dataStride));
            Offset = buffers.Allocate<double>(dataStride);
            Y = buffers.Allocate<double>(dataStride);
            W = buffers.Allocate<double>(dataStride);
            Z = buffers.Allocate<double>((long)data.Q * dataStride);
            if (!Streamed) UploadInSlotOrder();
            UseGrid(data.Grid);
            RowCounts = buffers.Upload(RowCountsOf(data.ClusterOffsets));
            SlotStarts = buffers.Upload(layout.SlotStarts);
            Order = buffers.Upload(layout.Order);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Slots the row buffers hold per column: all of them, or the largest batch's when rows are streamed.</summary>
    public int DataStride { get; }
    public bool Streamed => DataStride < layout.SlotCount;
    /// <summary>The first slot the row buffers hold now.</summary>
    public int FirstSlotHeld { get; private set; }

    public ArrayView<double> X { get; }
    public ArrayView<double> Offset { get; }
    public ArrayView<double> Y { get; }
    public ArrayView<double> W { get; }
    public ArrayView<double> Z { get; }
    public ArrayView<int> RowCounts { get; }
    public ArrayView<int> SlotStarts { get; }
    public ArrayView<int> Order { get; }
    public ArrayView<double> GridZ => gridZ!.View;
    public ArrayView<double> GridLogWeight => gridLogWeight!.View;
    private MemoryBuffer1D<double, Stride1D.Dense>? gridZ, gridLogWeight;

    /// <summary>Bytes held on the device.</summary>
    public long Bytes => buffers.Bytes + (gridZ?.LengthInBytes ?? 0) + (gridLogWeight?.LengthInBytes ?? 0);

    /// <summary>Replaces the quadrature grid (a few kilobytes) and keeps everything else: an AGQ fit after its
    /// Laplace stage needs no second upload of the rows.</summary>
    public void UseGrid(QuadratureGrid grid)
    {
        gridZ?.Dispose();
        gridLogWeight?.Dispose();
        gridZ = accelerator.Allocate1D(grid.Z);
        gridLogWeight = accelerator.Allocate1D(grid.LogWeight);
    }

    /// <summary>Each column uploaded in frame order once and put into slot order on the device.</summary>
    private void UploadInSlotOrder()
    {
        var frame = data.Frame;
        int n = data.N;
        using var source = accelerator.Allocate1D<double>(Math.Max(1, n));
        using var rowOfSlot = accelerator.Allocate1D(layout.RowOfSlot);
        var gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>>(LayoutKernels.GatherSlots);
        void Put(ReadOnlySpan<double> column, ArrayView<double> target)
        {
            source.View.AsContiguous().SubView(0, n).CopyFromCPU(column);
            gather(layout.SlotCount, source.View, rowOfSlot.View, target);
            accelerator.Synchronize();
        }
        for (int k = 0; k < data.P; k++) Put(frame.X.AsSpan(k * n, n), X.SubView((long)k * DataStride, DataStride));
        for (int d = 0; d < data.Q; d++) Put(data.Block.Z.AsSpan(d * n, n), Z.SubView((long)d * DataStride, DataStride));
        Put(frame.Offset, Offset);
        Put(frame.Response, Y);
        Put(frame.Weights, W);
    }

    /// <summary>Streamed rows: gathers the batch's slots on the host, column by column, and copies them into the row
    /// buffers.</summary>
    public void LoadBatch(SlotBatch batch)
    {
        var frame = data.Frame;
        int n = data.N, count = batch.SlotCount;
        staging ??= new double[DataStride];
        var rowOfSlot = layout.RowOfSlot;
        void Put(double[] source, int sourceAt, ArrayView<double> target)
        {
            var buffer = staging;
            Parallel.For(0, (count + 65535) / 65536, parallel, chunk =>
            {
                int end = Math.Min(count, (chunk + 1) * 65536);
                for (int s = chunk * 65536; s < end; s++)
                {
                    int row = rowOfSlot[batch.FirstSlot + s];
                    buffer[s] = row >= 0 ? source[sourceAt + row] : 0.0;
                }
            });
            target.SubView(0, count).CopyFromCPU(buffer.AsSpan(0, count));
        }
        for (int k = 0; k < data.P; k++) Put(frame.X, k * n, X.SubView((long)k * DataStride, DataStride));
        for (int d = 0; d < data.Q; d++) Put(data.Block.Z, d * n, Z.SubView((long)d * DataStride, DataStride));
        Put(frame.Offset, 0, Offset);
        Put(frame.Response, 0, Y);
        Put(frame.Weights, 0, W);
        FirstSlotHeld = batch.FirstSlot;
    }

    private static int[] RowCountsOf(int[] offsets)
    {
        var rows = new int[offsets.Length - 1];
        for (int g = 0; g < rows.Length; g++) rows[g] = offsets[g + 1] - offsets[g];
        return rows;
    }

    public void Dispose()
    {
        gridZ?.Dispose();
        gridLogWeight?.Dispose();
        buffers.Dispose();
    }
}

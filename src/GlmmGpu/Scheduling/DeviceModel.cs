using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Kernels;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Kernels.Quadrature;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Scheduling;

/// <summary>
/// The model's arrays on the device. Always resident, uploaded once per fit: the cluster offsets, beta, the
/// per-cluster warm-start modes (which persist between evaluations as on the CPU path) and the quadrature grid.
/// The rows (X, offset, y, w, Z, and the per-row eta and alpha) are resident too when they fit
/// (<see cref="RowCapacity"/> = all rows); otherwise the buffers hold one batch of rows at a time and
/// <see cref="LoadRows"/> streams each batch's rows in, every evaluation.
/// </summary>
internal sealed class DeviceModel : IDisposable
{
    private readonly DeviceBuffers buffers;
    private readonly MarginalLikelihoodData data;

    /// <summary>Bytes of device memory per row held: X's p columns, Z's q, offset, y, w, eta and alpha.</summary>
    public static long BytesPerRow(MarginalLikelihoodData data) => 8L * (data.P + data.Q + 5);

    public DeviceModel(Accelerator accelerator, MarginalLikelihoodData data, int rowCapacity)
    {
        this.data = data;
        RowCapacity = rowCapacity;
        buffers = new DeviceBuffers(accelerator);
        try
        {
            var frame = data.Frame;
            if (Streamed)
            {
                X = buffers.Allocate<double>((long)data.P * rowCapacity);
                Offset = buffers.Allocate<double>(rowCapacity);
                Y = buffers.Allocate<double>(rowCapacity);
                W = buffers.Allocate<double>(rowCapacity);
                Z = buffers.Allocate<double>((long)data.Q * rowCapacity);
            }
            else
            {
                X = buffers.Upload(frame.X);
                Offset = buffers.Upload(frame.Offset);
                Y = buffers.Upload(frame.Response);
                W = buffers.Upload(frame.Weights);
                Z = buffers.Upload(data.Block.Z);
            }
            UseGrid(accelerator, data.Grid);
            ClusterOffsets = buffers.Upload(data.ClusterOffsets);
            Eta = buffers.Allocate<double>(rowCapacity);
            Alpha = buffers.Allocate<double>(rowCapacity);
            Beta = buffers.Allocate<double>(data.P);
            Modes = buffers.Allocate<Vec3>(data.ClusterCount);
            Modes.MemSetToZero();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Rows the row buffers hold: all of them, or the largest batch's when rows are streamed.</summary>
    public int RowCapacity { get; }
    public bool Streamed => RowCapacity < data.N;
    /// <summary>The first row the row buffers hold now.</summary>
    public int FirstRowHeld { get; private set; }

    public ArrayView<double> X { get; }
    public ArrayView<double> Offset { get; }
    public ArrayView<double> Y { get; }
    public ArrayView<double> W { get; }
    public ArrayView<double> Z { get; }
    public ArrayView<double> GridZ => gridZ!.View;
    public ArrayView<double> GridLogWeight => gridLogWeight!.View;
    public ArrayView<int> ClusterOffsets { get; }
    public ArrayView<double> Eta { get; }
    public ArrayView<double> Alpha { get; }
    public ArrayView<double> Beta { get; }
    public ArrayView<Vec3> Modes { get; }
    private MemoryBuffer1D<double, Stride1D.Dense>? gridZ, gridLogWeight;

    /// <summary>Bytes held on the device.</summary>
    public long Bytes => buffers.Bytes + (gridZ?.LengthInBytes ?? 0) + (gridLogWeight?.LengthInBytes ?? 0);

    /// <summary>Replaces the quadrature grid (a few kilobytes) and keeps everything else: an AGQ fit after its
    /// Laplace stage needs no second upload of the rows.</summary>
    public void UseGrid(Accelerator accelerator, QuadratureGrid grid)
    {
        gridZ?.Dispose();
        gridLogWeight?.Dispose();
        gridZ = accelerator.Allocate1D(grid.Z);
        gridLogWeight = accelerator.Allocate1D(grid.LogWeight);
    }

    /// <summary>Copies rows [first, first + count) of X, offset, y, w and Z into the row buffers (streamed mode).</summary>
    public void LoadRows(int first, int count)
    {
        var frame = data.Frame;
        int n = data.N, stride = RowCapacity;
        for (int k = 0; k < data.P; k++)
            X.SubView((long)k * stride, count).CopyFromCPU(frame.X.AsSpan((int)((long)k * n + first), count));
        for (int d = 0; d < data.Q; d++)
            Z.SubView((long)d * stride, count).CopyFromCPU(data.Block.Z.AsSpan((int)((long)d * n + first), count));
        Offset.SubView(0, count).CopyFromCPU(frame.Offset.AsSpan(first, count));
        Y.SubView(0, count).CopyFromCPU(frame.Response.AsSpan(first, count));
        W.SubView(0, count).CopyFromCPU(frame.Weights.AsSpan(first, count));
        FirstRowHeld = first;
    }

    /// <summary>The row view the cluster kernels integrate over, with <paramref name="scratch"/> for one batch.</summary>
    public DeviceRows Rows(ArrayView<double> scratch, int q) =>
        new(Eta, Y, W, Z, Alpha, scratch, GridZ, GridLogWeight, RowCapacity, q, 0, 0);

    public void Dispose()
    {
        gridZ?.Dispose();
        gridLogWeight?.Dispose();
        buffers.Dispose();
    }
}

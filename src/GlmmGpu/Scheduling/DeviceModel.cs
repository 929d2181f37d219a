using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Kernels;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Kernels.Quadrature;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Scheduling;

/// <summary>
/// The model's arrays on the device, uploaded once per fit and kept there across evaluations: X, offset, y, w,
/// Z, the cluster offsets and the quadrature grid; plus the per-row eta and alpha and the per-cluster warm-start
/// modes, which persist between evaluations as on the CPU path.
/// </summary>
internal sealed class DeviceModel : IDisposable
{
    private readonly DeviceBuffers buffers;

    public DeviceModel(Accelerator accelerator, MarginalLikelihoodData data)
    {
        buffers = new DeviceBuffers(accelerator);
        try
        {
            var frame = data.Frame;
            X = buffers.Upload(frame.X);
            Offset = buffers.Upload(frame.Offset);
            Y = buffers.Upload(frame.Response);
            W = buffers.Upload(frame.Weights);
            Z = buffers.Upload(data.Block.Z);
            UseGrid(accelerator, data.Grid);
            ClusterOffsets = buffers.Upload(data.ClusterOffsets);
            Eta = buffers.Allocate<double>(data.N);
            Alpha = buffers.Allocate<double>(data.N);
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

    public ArrayView<double> X { get; }
    public ArrayView<double> Offset { get; }
    public ArrayView<double> Y { get; }
    public ArrayView<double> W { get; }
    public ArrayView<double> Z { get; }
    public ArrayView<double> GridZ => gridZ!.View;
    public ArrayView<double> GridLogWeight => gridLogWeight!.View;
    private MemoryBuffer1D<double, Stride1D.Dense>? gridZ, gridLogWeight;

    /// <summary>Replaces the quadrature grid (a few kilobytes) and keeps everything else: an AGQ fit after its
    /// Laplace stage needs no second upload of the rows.</summary>
    public void UseGrid(Accelerator accelerator, QuadratureGrid grid)
    {
        gridZ?.Dispose();
        gridLogWeight?.Dispose();
        gridZ = accelerator.Allocate1D(grid.Z);
        gridLogWeight = accelerator.Allocate1D(grid.LogWeight);
    }
    public ArrayView<int> ClusterOffsets { get; }
    public ArrayView<double> Eta { get; }
    public ArrayView<double> Alpha { get; }
    public ArrayView<double> Beta { get; }
    public ArrayView<Vec3> Modes { get; }

    /// <summary>Bytes held on the device.</summary>
    public long Bytes => buffers.Bytes + (gridZ?.LengthInBytes ?? 0) + (gridLogWeight?.LengthInBytes ?? 0);

    /// <summary>The row view the cluster kernel integrates over, with <paramref name="scratch"/> for one batch.</summary>
    public DeviceRows Rows(ArrayView<double> scratch, int n, int q) =>
        new(Eta, Y, W, Z, Alpha, scratch, GridZ, GridLogWeight, n, q, 0);

    public void Dispose()
    {
        gridZ?.Dispose();
        gridLogWeight?.Dispose();
        buffers.Dispose();
    }
}

using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Kernels;
using GlmmGpu.Kernels.Numerics;
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
    private readonly List<MemoryBuffer> owned = new();

    public DeviceModel(Accelerator accelerator, MarginalLikelihoodData data)
    {
        try
        {
            var frame = data.Frame;
            X = Upload(accelerator, frame.X);
            Offset = Upload(accelerator, frame.Offset);
            Y = Upload(accelerator, frame.Response);
            W = Upload(accelerator, frame.Weights);
            Z = Upload(accelerator, data.Block.Z);
            GridZ = Upload(accelerator, data.Grid.Z);
            GridLogWeight = Upload(accelerator, data.Grid.LogWeight);
            ClusterOffsets = Upload(accelerator, data.ClusterOffsets);
            Eta = Allocate<double>(accelerator, data.N);
            Alpha = Allocate<double>(accelerator, data.N);
            Beta = Allocate<double>(accelerator, data.P);
            Modes = Allocate<Vec3>(accelerator, data.ClusterCount);
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
    public ArrayView<double> GridZ { get; }
    public ArrayView<double> GridLogWeight { get; }
    public ArrayView<int> ClusterOffsets { get; }
    public ArrayView<double> Eta { get; }
    public ArrayView<double> Alpha { get; }
    public ArrayView<double> Beta { get; }
    public ArrayView<Vec3> Modes { get; }

    /// <summary>Bytes held on the device.</summary>
    public long Bytes => owned.Sum(b => b.LengthInBytes);

    /// <summary>The row view the cluster kernel integrates over, with <paramref name="scratch"/> for one batch.</summary>
    public DeviceRows Rows(ArrayView<double> scratch, int n, int q) =>
        new(Eta, Y, W, Z, Alpha, scratch, GridZ, GridLogWeight, n, q, 0);

    private ArrayView<T> Upload<T>(Accelerator accelerator, T[] host) where T : unmanaged
    {
        var view = Allocate<T>(accelerator, host.Length);
        view.CopyFromCPU(host);
        return view;
    }

    private ArrayView<T> Allocate<T>(Accelerator accelerator, int length) where T : unmanaged
    {
        var buffer = accelerator.Allocate1D<T>(length);
        owned.Add(buffer);
        return buffer.View;
    }

    public void Dispose()
    {
        foreach (var b in owned) b.Dispose();
        owned.Clear();
    }
}

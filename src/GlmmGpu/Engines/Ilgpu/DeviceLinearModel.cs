using GlmmGpu.Kernels.EntryPoints;
using GlmmGpu.Model;
using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// The linear model's rows on the device, uploaded once per fit and resident across PQL iterations: X, Z, y,
/// w, offset, level codes and cluster offsets; plus PQL's working response and weights and two eta buffers
/// (the update writes the new eta beside the old, which the convergence sums still read).
/// </summary>
internal sealed class DeviceLinearModel : IDisposable
{
    private readonly DeviceBuffers buffers;

    public DeviceLinearModel(Accelerator accelerator, ModelFrame frame, RandomEffectsBlock block)
    {
        buffers = new DeviceBuffers(accelerator);
        try
        {
            N = frame.RowCount;
            P = frame.P;
            Q = block.Q;
            X = buffers.Upload(frame.X);
            Z = buffers.Upload(block.Z);
            Y = buffers.Upload(frame.Response);
            W = buffers.Upload(frame.Weights);
            Offset = buffers.Upload(frame.Offset);
            LevelOfRow = buffers.Upload(block.LevelOfRow);
            ClusterOffsets = buffers.Upload(block.ClusterOffsets!);
            Response = buffers.Allocate<double>(N);
            Weight = buffers.Allocate<double>(N);
            Eta = buffers.Allocate<double>(N);
            NextEta = buffers.Allocate<double>(N);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int N { get; }
    public int P { get; }
    public int Q { get; }
    public ArrayView<double> X { get; }
    public ArrayView<double> Z { get; }
    public ArrayView<double> Y { get; }
    public ArrayView<double> W { get; }
    public ArrayView<double> Offset { get; }
    public ArrayView<int> LevelOfRow { get; }
    public ArrayView<int> ClusterOffsets { get; }
    /// <summary>The linear model's response: y - offset (LMM) or the pseudo-response less the offset (PQL).</summary>
    public ArrayView<double> Response { get; }
    /// <summary>PQL's working weights.</summary>
    public ArrayView<double> Weight { get; }
    /// <summary>The current eta; <see cref="SwapEta"/> makes <see cref="NextEta"/> current.</summary>
    public ArrayView<double> Eta { get; private set; }
    public ArrayView<double> NextEta { get; private set; }

    /// <summary>The rows with the given weights (the prior weights <see cref="W"/> or the working <see cref="Weight"/>).</summary>
    public DeviceLinearRows Rows(ArrayView<double> weights) => new(X, Z, Response, weights, N, P, Q);

    public void SwapEta() => (Eta, NextEta) = (NextEta, Eta);

    public void Dispose() => buffers.Dispose();
}

using ILGPU;
using ILGPU.Runtime;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>Device buffers owned and freed together: what an engine uploads once per fit and keeps resident.</summary>
internal sealed class DeviceBuffers(Accelerator accelerator) : IDisposable
{
    private readonly List<MemoryBuffer> owned = new();

    /// <summary>Bytes held on the device.</summary>
    public long Bytes => owned.Sum(b => b.LengthInBytes);

    public ArrayView<T> Upload<T>(T[] host) where T : unmanaged
    {
        var view = Allocate<T>(host.Length);
        view.CopyFromCPU(host);
        return view;
    }

    public ArrayView<T> Allocate<T>(long length) where T : unmanaged
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

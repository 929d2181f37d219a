using ILGPU;

namespace GlmmGpu.Kernels.EntryPoints;

/// <summary>Puts a column of the model frame into the device layout's slot order, once per fit.</summary>
public static class LayoutKernels
{
    /// <summary>target[s] = source[rowOfSlot[s]], or 0 for a padding slot (row -1).</summary>
    public static void GatherSlots(Index1D slot, ArrayView<double> source, ArrayView<int> rowOfSlot, ArrayView<double> target)
    {
        int row = rowOfSlot[slot];
        target[slot] = row >= 0 ? source[row] : 0.0;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The vector operations of the dense triangular solves, each with one order of operations in every path (512-bit,
/// 256-bit, scalar), so a result does not depend on the hardware: a dot product over eight lanes (entry k into lane
/// k mod 8 by fused multiply-adds, the lanes added in a fixed tree), and y += a x by fused multiply-adds.
/// </summary>
public static class DenseRowOperations
{
    private const int Lanes = 8;

    /// <summary>sum_k x[k] y[k] over <paramref name="length"/> entries, in eight lanes.</summary>
    public static double Dot(ref double x, ref double y, int length, TilePath path = TilePath.Best)
    {
        if (path == TilePath.Best) path = DenseTileKernel.BestPath;
        int full = length - length % Lanes;
        Span<double> lanes = stackalloc double[Lanes];
        switch (path)
        {
            case TilePath.Vector512:
            {
                var sum = Vector512<double>.Zero;
                for (int k = 0; k < full; k += Lanes)
                    sum = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)k), Vector512.LoadUnsafe(ref y, (nuint)k), sum);
                sum.CopyTo(lanes);
                break;
            }
            case TilePath.Vector256:
            {
                var low = Vector256<double>.Zero;
                var high = Vector256<double>.Zero;
                for (int k = 0; k < full; k += Lanes)
                {
                    low = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k), low);
                    high = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)k + 4), Vector256.LoadUnsafe(ref y, (nuint)k + 4), high);
                }
                low.CopyTo(lanes);
                high.CopyTo(lanes[4..]);
                break;
            }
            default:
                lanes.Clear();
                for (int k = 0; k < full; k += Lanes)
                    for (int j = 0; j < Lanes; j++)
                        lanes[j] = Math.FusedMultiplyAdd(Unsafe.Add(ref x, k + j), Unsafe.Add(ref y, k + j), lanes[j]);
                break;
        }
        for (int k = full; k < length; k++) lanes[k - full] = Math.FusedMultiplyAdd(Unsafe.Add(ref x, k), Unsafe.Add(ref y, k), lanes[k - full]);
        return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
    }

    /// <summary>y[k] = fma(a, x[k], y[k]) over <paramref name="length"/> entries.</summary>
    public static void MultiplyAdd(double a, ref double x, ref double y, int length, TilePath path = TilePath.Best)
    {
        if (path == TilePath.Best) path = DenseTileKernel.BestPath;
        int k = 0;
        if (path == TilePath.Vector512)
        {
            var va = Vector512.Create(a);
            for (; k + 8 <= length; k += 8)
                Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref x, (nuint)k), Vector512.LoadUnsafe(ref y, (nuint)k)).StoreUnsafe(ref y, (nuint)k);
        }
        else if (path == TilePath.Vector256)
        {
            var va = Vector256.Create(a);
            for (; k + 4 <= length; k += 4)
                Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k)).StoreUnsafe(ref y, (nuint)k);
        }
        for (; k < length; k++) Unsafe.Add(ref y, k) = Math.FusedMultiplyAdd(a, Unsafe.Add(ref x, k), Unsafe.Add(ref y, k));
    }
}

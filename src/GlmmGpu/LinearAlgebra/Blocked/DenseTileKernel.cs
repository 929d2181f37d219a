using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>What a tile product does with the tile of C it computes.</summary>
public enum TileUpdate
{
    /// <summary>C -= A B'.</summary>
    Subtract,
    /// <summary>C = A B'.</summary>
    Store,
    /// <summary>C = -A B'.</summary>
    Negate,
}

/// <summary>The instruction width a tile product runs at; <see cref="Best"/> is the widest the hardware accelerates.</summary>
public enum TilePath
{
    Best,
    Vector512,
    Vector256,
    Scalar,
}

/// <summary>
/// The register-blocked product under the dense factorisations: one 8-by-16 tile of C less (or set to) A B', where
/// step k of the product reads eight values of A (the tile's rows) and sixteen of B (its columns), each contiguous.
/// Every element is accumulated over k in order by fused multiply-adds, from zero, and then applied to C, in every
/// path: the vector paths and the scalar one give the same bits, so a result does not depend on the hardware.
/// </summary>
public static class DenseTileKernel
{
    public const int Rows = 8;
    public const int Columns = 16;

    /// <summary>
    /// C[r, j] (at <c>c[r cStride + j]</c>) updated by sum_k A[k, r] B[k, j], A[k, r] at <c>a[k aStride + r]</c> and
    /// B[k, j] at <c>b[k bStride + j]</c>, for k below <paramref name="depth"/>; all 8 rows and 16 columns are read
    /// and written.
    /// </summary>
    public static void Apply(ref double c, int cStride, ref double a, int aStride, ref double b, int bStride, int depth,
        TileUpdate update, TilePath path = TilePath.Best)
    {
        if (path == TilePath.Best) path = BestPath;
        switch (path)
        {
            case TilePath.Vector512:
                Apply512(ref c, cStride, ref a, aStride, ref b, bStride, depth, update);
                break;
            case TilePath.Vector256:
                Apply256(ref c, cStride, ref a, aStride, ref b, bStride, depth, update, 0);
                Apply256(ref c, cStride, ref a, aStride, ref b, bStride, depth, update, 8);
                break;
            default:
                ApplyScalar(ref c, cStride, ref a, aStride, ref b, bStride, depth, update);
                break;
        }
    }

    /// <summary>The widest path the hardware accelerates.</summary>
    public static TilePath BestPath { get; } =
        Vector512.IsHardwareAccelerated ? TilePath.Vector512 : Vector256.IsHardwareAccelerated ? TilePath.Vector256 : TilePath.Scalar;

    /// <summary>Whether <paramref name="path"/> runs on this hardware (the scalar path always does).</summary>
    public static bool IsAvailable(TilePath path) => path switch
    {
        TilePath.Vector512 => Vector512.IsHardwareAccelerated,
        TilePath.Vector256 => Vector256.IsHardwareAccelerated,
        _ => true,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply512(ref double c, int cStride, ref double a, int aStride, ref double b, int bStride, int depth, TileUpdate update)
    {
        var c00 = Vector512<double>.Zero; var c01 = Vector512<double>.Zero;
        var c10 = Vector512<double>.Zero; var c11 = Vector512<double>.Zero;
        var c20 = Vector512<double>.Zero; var c21 = Vector512<double>.Zero;
        var c30 = Vector512<double>.Zero; var c31 = Vector512<double>.Zero;
        var c40 = Vector512<double>.Zero; var c41 = Vector512<double>.Zero;
        var c50 = Vector512<double>.Zero; var c51 = Vector512<double>.Zero;
        var c60 = Vector512<double>.Zero; var c61 = Vector512<double>.Zero;
        var c70 = Vector512<double>.Zero; var c71 = Vector512<double>.Zero;
        ref double ak = ref a;
        ref double bk = ref b;
        for (int k = 0; k < depth; k++)
        {
            var b0 = Vector512.LoadUnsafe(ref bk);
            var b1 = Vector512.LoadUnsafe(ref bk, 8);
            var a0 = Vector512.Create(ak);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(Unsafe.Add(ref ak, 1));
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(Unsafe.Add(ref ak, 2));
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(Unsafe.Add(ref ak, 3));
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(Unsafe.Add(ref ak, 4));
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(Unsafe.Add(ref ak, 5));
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(Unsafe.Add(ref ak, 6));
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(Unsafe.Add(ref ak, 7));
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            ak = ref Unsafe.Add(ref ak, aStride);
            bk = ref Unsafe.Add(ref bk, bStride);
        }
        Finish512(ref c, c00, c01, update);
        Finish512(ref Unsafe.Add(ref c, cStride), c10, c11, update);
        Finish512(ref Unsafe.Add(ref c, 2 * cStride), c20, c21, update);
        Finish512(ref Unsafe.Add(ref c, 3 * cStride), c30, c31, update);
        Finish512(ref Unsafe.Add(ref c, 4 * cStride), c40, c41, update);
        Finish512(ref Unsafe.Add(ref c, 5 * cStride), c50, c51, update);
        Finish512(ref Unsafe.Add(ref c, 6 * cStride), c60, c61, update);
        Finish512(ref Unsafe.Add(ref c, 7 * cStride), c70, c71, update);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish512(ref double row, Vector512<double> low, Vector512<double> high, TileUpdate update)
    {
        if (update == TileUpdate.Subtract)
        {
            low = Vector512.LoadUnsafe(ref row) - low;
            high = Vector512.LoadUnsafe(ref row, 8) - high;
        }
        else if (update == TileUpdate.Negate)
        {
            low = -low;
            high = -high;
        }
        low.StoreUnsafe(ref row);
        high.StoreUnsafe(ref row, 8);
    }

    /// <summary>Eight of the tile's columns, from <paramref name="column"/>: sixteen 256-bit accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply256(ref double c, int cStride, ref double a, int aStride, ref double b, int bStride, int depth, TileUpdate update,
        int column)
    {
        var c00 = Vector256<double>.Zero; var c01 = Vector256<double>.Zero;
        var c10 = Vector256<double>.Zero; var c11 = Vector256<double>.Zero;
        var c20 = Vector256<double>.Zero; var c21 = Vector256<double>.Zero;
        var c30 = Vector256<double>.Zero; var c31 = Vector256<double>.Zero;
        var c40 = Vector256<double>.Zero; var c41 = Vector256<double>.Zero;
        var c50 = Vector256<double>.Zero; var c51 = Vector256<double>.Zero;
        var c60 = Vector256<double>.Zero; var c61 = Vector256<double>.Zero;
        var c70 = Vector256<double>.Zero; var c71 = Vector256<double>.Zero;
        ref double ak = ref a;
        ref double bk = ref Unsafe.Add(ref b, column);
        for (int k = 0; k < depth; k++)
        {
            var b0 = Vector256.LoadUnsafe(ref bk);
            var b1 = Vector256.LoadUnsafe(ref bk, 4);
            var a0 = Vector256.Create(ak);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(Unsafe.Add(ref ak, 1));
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(Unsafe.Add(ref ak, 2));
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(Unsafe.Add(ref ak, 3));
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(Unsafe.Add(ref ak, 4));
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(Unsafe.Add(ref ak, 5));
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector256.Create(Unsafe.Add(ref ak, 6));
            c60 = Vector256.FusedMultiplyAdd(a6, b0, c60); c61 = Vector256.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector256.Create(Unsafe.Add(ref ak, 7));
            c70 = Vector256.FusedMultiplyAdd(a7, b0, c70); c71 = Vector256.FusedMultiplyAdd(a7, b1, c71);
            ak = ref Unsafe.Add(ref ak, aStride);
            bk = ref Unsafe.Add(ref bk, bStride);
        }
        ref double c0 = ref Unsafe.Add(ref c, column);
        Finish256(ref c0, c00, c01, update);
        Finish256(ref Unsafe.Add(ref c0, cStride), c10, c11, update);
        Finish256(ref Unsafe.Add(ref c0, 2 * cStride), c20, c21, update);
        Finish256(ref Unsafe.Add(ref c0, 3 * cStride), c30, c31, update);
        Finish256(ref Unsafe.Add(ref c0, 4 * cStride), c40, c41, update);
        Finish256(ref Unsafe.Add(ref c0, 5 * cStride), c50, c51, update);
        Finish256(ref Unsafe.Add(ref c0, 6 * cStride), c60, c61, update);
        Finish256(ref Unsafe.Add(ref c0, 7 * cStride), c70, c71, update);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish256(ref double row, Vector256<double> low, Vector256<double> high, TileUpdate update)
    {
        if (update == TileUpdate.Subtract)
        {
            low = Vector256.LoadUnsafe(ref row) - low;
            high = Vector256.LoadUnsafe(ref row, 4) - high;
        }
        else if (update == TileUpdate.Negate)
        {
            low = -low;
            high = -high;
        }
        low.StoreUnsafe(ref row);
        high.StoreUnsafe(ref row, 4);
    }

    private static void ApplyScalar(ref double c, int cStride, ref double a, int aStride, ref double b, int bStride, int depth, TileUpdate update)
    {
        Span<double> sums = stackalloc double[Rows * Columns];
        sums.Clear();
        for (int k = 0; k < depth; k++)
        {
            ref double ak = ref Unsafe.Add(ref a, k * aStride);
            ref double bk = ref Unsafe.Add(ref b, k * bStride);
            for (int r = 0; r < Rows; r++)
            {
                double ar = Unsafe.Add(ref ak, r);
                for (int j = 0; j < Columns; j++) sums[r * Columns + j] = Math.FusedMultiplyAdd(ar, Unsafe.Add(ref bk, j), sums[r * Columns + j]);
            }
        }
        for (int r = 0; r < Rows; r++)
            for (int j = 0; j < Columns; j++)
            {
                ref double target = ref Unsafe.Add(ref c, r * cStride + j);
                double sum = sums[r * Columns + j];
                target = update switch { TileUpdate.Subtract => target - sum, TileUpdate.Negate => -sum, _ => sum };
            }
    }

    /// <summary>
    /// A tile of which only <paramref name="rows"/> rows and <paramref name="columns"/> columns exist (in C, A and B),
    /// and of which C's entry (r, j) is written only where j &lt;= r + <paramref name="diagonal"/> (int.MaxValue: all):
    /// A and B are copied into zero-padded panels and the tile is formed aside, so each written entry has the bits the
    /// full tile would give it.
    /// </summary>
    public static void ApplyEdge(ref double c, int cStride, ref double a, int aStride, int rows, ref double b, int bStride, int columns,
        int depth, TileUpdate update, int diagonal = int.MaxValue, TilePath path = TilePath.Best)
    {
        var packed = System.Buffers.ArrayPool<double>.Shared.Rent(depth * (Rows + Columns) + Rows * Columns);
        try
        {
            var span = packed.AsSpan(0, depth * (Rows + Columns));
            span.Clear();
            for (int k = 0; k < depth; k++)
            {
                for (int r = 0; r < rows; r++) packed[k * Rows + r] = Unsafe.Add(ref a, k * aStride + r);
                for (int j = 0; j < columns; j++) packed[depth * Rows + k * Columns + j] = Unsafe.Add(ref b, k * bStride + j);
            }
            int tileAt = depth * (Rows + Columns);
            Apply(ref packed[tileAt], Columns, ref packed[0], Rows, ref packed[depth * Rows], Columns, depth, TileUpdate.Store, path);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < columns && j <= (long)r + diagonal; j++)
                {
                    ref double target = ref Unsafe.Add(ref c, r * cStride + j);
                    double sum = packed[tileAt + r * Columns + j];
                    target = update switch { TileUpdate.Subtract => target - sum, TileUpdate.Negate => -sum, _ => sum };
                }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(packed);
        }
    }
}

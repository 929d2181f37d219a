using System.Buffers;
using System.Runtime.InteropServices;

namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// (L L')^-1 from a dense lower Cholesky factor (n by n, row-major): W = L^-1 by blocks of rows, then W'W, both in
/// <see cref="DenseTileKernel"/>'s tiles. Each entry's arithmetic is fixed by the block size alone, so the inverse is
/// the same at any thread count.
/// </summary>
public static class DenseInverse
{
    private const int Block = 64;

    /// <summary>(L L')^-1, both triangles, row-major (a new array).</summary>
    public static double[] FromCholesky(double[] l, int n, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        var w = new double[(long)n * n];
        var result = new double[(long)n * n];
        FromCholesky(l, n, w, result, parallel, path);
        return result;
    }

    /// <summary>(L L')^-1 into <paramref name="result"/> (both triangles), L^-1 into <paramref name="inverseLower"/>,
    /// whose upper triangle must be zero (as a new array's is: nothing here writes it).</summary>
    public static void FromCholesky(double[] l, int n, double[] inverseLower, double[] result, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        InverseLower(l, n, inverseLower, parallel, path);
        TransposeTimesSelf(inverseLower, n, result, parallel, path);
    }

    /// <summary>W = L^-1 (lower, row-major, a new array).</summary>
    public static double[] InverseLower(double[] l, int n, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        var w = new double[(long)n * n];
        InverseLower(l, n, w, parallel, path);
        return w;
    }

    /// <summary>
    /// W = L^-1 into <paramref name="w"/> (its upper triangle zero), by blocks I of rows: W_II = L_II^-1, then
    /// W[I, 0:i0] = -W_II (L[I, 0:i0] W[0:i0, 0:i0]), the product taken 16 columns at a time (W[k, j] is zero for
    /// k &lt; j, so column tile j0 needs rows from j0 on).
    /// </summary>
    public static void InverseLower(double[] l, int n, double[] w, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        const int columns = DenseTileKernel.Columns, rows = DenseTileKernel.Rows;
        // L[I, 0:i0] and W_II transposed (column k a row over the block's rows), rows past the matrix zero.
        var rowsOfL = ArrayPool<double>.Shared.Rent(Block * n);
        var diagonalInverse = ArrayPool<double>.Shared.Rent(Block * Block);
        try
        {
            for (int i0 = 0; i0 < n; i0 += Block)
            {
                int height = Math.Min(Block, n - i0);
                InvertDiagonalBlock(l, n, w, i0, height);
                if (i0 == 0) continue;
                for (int k = 0; k < i0; k++)
                    for (int r = 0; r < Block; r++) rowsOfL[k * Block + r] = r < height ? l[(long)(i0 + r) * n + k] : 0.0;
                for (int k = 0; k < Block; k++)
                    for (int r = 0; r < Block; r++)
                        diagonalInverse[k * Block + r] = r < height && k <= r ? w[(long)(i0 + r) * n + i0 + k] : 0.0;
                int rowBlock = i0;
                Parallel.For(0, i0 / columns, parallel, t =>
                {
                    int j0 = t * columns;
                    Span<double> product = stackalloc double[Block * columns];
                    ref double first = ref MemoryMarshal.GetReference(product);
                    // T[:, j0..j0+16] = L[I, j0:i0] W[j0:i0, j0..j0+16].
                    for (int g = 0; g < height; g += rows)
                        DenseTileKernel.Apply(ref product[g * columns], columns, ref rowsOfL[j0 * Block + g], Block, ref w[(long)j0 * n + j0], n,
                            rowBlock - j0, TileUpdate.Store, path);
                    // W[I, j0..j0+16] = -W_II T (W_II lower: row group g needs T's rows up to its last).
                    for (int g = 0; g < height; g += rows)
                    {
                        int groupRows = Math.Min(rows, height - g), depth = Math.Min(height, g + rows);
                        ref double target = ref w[(long)(rowBlock + g) * n + j0];
                        if (groupRows == rows)
                            DenseTileKernel.Apply(ref target, n, ref diagonalInverse[g], Block, ref first, columns, depth, TileUpdate.Negate, path);
                        else
                            DenseTileKernel.ApplyEdge(ref target, n, ref diagonalInverse[g], Block, groupRows, ref first, columns, columns, depth,
                                TileUpdate.Negate, path: path);
                    }
                });
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rowsOfL);
            ArrayPool<double>.Shared.Return(diagonalInverse);
        }
    }

    /// <summary>W_II = L_II^-1 for the block of rows from <paramref name="i0"/>, by rows: W[i, j] = -sum_{j &lt;= k &lt; i}
    /// L[i, k] W[k, j] / L[i, i].</summary>
    private static void InvertDiagonalBlock(double[] l, int n, double[] w, int i0, int height)
    {
        for (int i = i0; i < i0 + height; i++)
        {
            long row = (long)i * n;
            double lii = l[row + i];
            for (int j = i0; j < i; j++)
            {
                double s = 0;
                for (int k = j; k < i; k++) s += l[row + k] * w[(long)k * n + j];
                w[row + j] = -s / lii;
            }
            w[row + i] = 1.0 / lii;
        }
    }

    /// <summary>W'W for lower W: entry (a, b) = sum_{i >= max(a, b)} W[i, a] W[i, b]; both triangles written (a new array).</summary>
    public static double[] TransposeTimesSelf(double[] w, int n, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        var result = new double[(long)n * n];
        TransposeTimesSelf(w, n, result, parallel, path);
        return result;
    }

    /// <summary>W'W into <paramref name="result"/>: the lower triangle in tiles of 8 rows a by 16 columns b, each the sum
    /// over i from the tile's first row (W[i, a] is zero for i &lt; a), then mirrored.</summary>
    public static void TransposeTimesSelf(double[] w, int n, double[] result, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        const int rows = DenseTileKernel.Rows, columns = DenseTileKernel.Columns;
        int groups = (n + rows - 1) / rows;
        Parallel.For(0, groups, parallel, g =>
        {
            int a0 = g * rows, rowCount = Math.Min(rows, n - a0), depth = n - a0;
            for (int b0 = 0; b0 < a0 + rowCount; b0 += columns)
            {
                int columnCount = Math.Min(columns, n - b0);
                ref double target = ref result[(long)a0 * n + b0];
                if (rowCount == rows && columnCount == columns)
                    DenseTileKernel.Apply(ref target, n, ref w[(long)a0 * n + a0], n, ref w[(long)a0 * n + b0], n, depth, TileUpdate.Store, path);
                else
                    DenseTileKernel.ApplyEdge(ref target, n, ref w[(long)a0 * n + a0], n, rowCount, ref w[(long)a0 * n + b0], n, columnCount, depth,
                        TileUpdate.Store, path: path);
            }
        });
        Mirror(result, n, parallel);
    }

    /// <summary>The upper triangle from the lower, by square blocks.</summary>
    private static void Mirror(double[] result, int n, ParallelOptions parallel)
    {
        int blocks = (n + Block - 1) / Block;
        Parallel.For(0, blocks, parallel, bi =>
        {
            int a0 = bi * Block, a1 = Math.Min(n, a0 + Block);
            for (int b0 = 0; b0 < a1; b0 += Block)
            {
                int b1 = Math.Min(n, b0 + Block);
                for (int a = a0; a < a1; a++)
                {
                    long row = (long)a * n;
                    for (int b = b0; b < Math.Min(b1, a); b++) result[(long)b * n + a] = result[row + b];
                }
            }
        });
    }
}

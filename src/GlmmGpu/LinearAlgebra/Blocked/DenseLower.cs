namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The dense lower-triangular algebra of the blocked Cholesky's trailing block (MixedModels.jl's dense diagonal
/// blocks): an n-by-n matrix row-major in a flat array, its lower triangle used. The factorisation is right-looking
/// by panels of columns: the panel's diagonal block factored in place, the rows below it solved on the panel held
/// transposed (<see cref="DenseStripSolve"/>), then the trailing lower triangle less the panel times itself, in
/// <see cref="DenseTileKernel"/>'s tiles. Each entry's arithmetic is fixed by the panel width alone, so the factor is
/// the same at any thread count.
/// </summary>
public static class DenseLower
{
    private const int Panel = 64;

    /// <summary>A = L L' in place (the lower triangle of <paramref name="a"/> becomes L; the upper is neither read nor
    /// written); false if A is not positive definite.</summary>
    public static bool Cholesky(double[] a, int n, ParallelOptions parallel, TilePath path = TilePath.Best)
    {
        int stride = RoundUp(n, DenseStripSolve.RowsPerChunk);
        var panel = System.Buffers.ArrayPool<double>.Shared.Rent(Panel * stride);
        try
        {
            Array.Clear(panel, 0, Panel * stride);
            for (int k0 = 0; k0 < n; k0 += Panel)
            {
                int k1 = Math.Min(n, k0 + Panel), width = k1 - k0;
                if (!FactorDiagonalBlock(a, n, k0, k1)) return false;
                if (k1 == n) break;
                // The panel below the diagonal block, transposed: its column j a row over the matrix's rows.
                for (int i = k1; i < n; i++)
                {
                    long row = (long)i * n + k0;
                    for (int j = 0; j < width; j++) panel[j * stride + i] = a[row + j];
                }
                DenseStripSolve.Solve(a, n, k0, width, panel, stride, k1, parallel, path);
                for (int i = k1; i < n; i++)
                {
                    long row = (long)i * n + k0;
                    for (int j = 0; j < width; j++) a[row + j] = panel[j * stride + i];
                }
                SubtractPanelProduct(a, n, panel, stride, width, k1, parallel, path);
            }
            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(panel);
        }
    }

    /// <summary>The panel's diagonal block (already updated by the panels before it), factored in place.</summary>
    private static bool FactorDiagonalBlock(double[] a, int n, int k0, int k1)
    {
        for (int j = k0; j < k1; j++)
        {
            double d = a[(long)j * n + j];
            for (int k = k0; k < j; k++) d -= a[(long)j * n + k] * a[(long)j * n + k];
            if (!(d > 0) || !double.IsFinite(d)) return false;
            double ljj = Math.Sqrt(d);
            a[(long)j * n + j] = ljj;
            for (int i = j + 1; i < k1; i++)
            {
                double s = a[(long)i * n + j];
                for (int k = k0; k < j; k++) s -= a[(long)i * n + k] * a[(long)j * n + k];
                a[(long)i * n + j] = s / ljj;
            }
        }
        return true;
    }

    /// <summary>A[i, j] -= sum_k P[k, i] P[k, j] for k1 &lt;= j &lt;= i &lt; n, P the solved panel (transposed), in
    /// tiles of 8 rows by 16 columns; tiles that cross the diagonal or the matrix's edge are formed aside.</summary>
    private static void SubtractPanelProduct(double[] a, int n, double[] panel, int stride, int width, int k1, ParallelOptions parallel, TilePath path)
    {
        const int rows = DenseTileKernel.Rows, columns = DenseTileKernel.Columns;
        int groups = (n - k1 + rows - 1) / rows;
        Parallel.For(0, groups, parallel, g =>
        {
            // Later row groups hold more tiles: taken first, they leave the short ones to even out the threads.
            int i0 = k1 + rows * (groups - 1 - g), rowCount = Math.Min(rows, n - i0);
            for (int j0 = k1; j0 <= i0 + rowCount - 1; j0 += columns)
            {
                ref double c = ref a[(long)i0 * n + j0];
                if (rowCount == rows && j0 + columns <= i0 + 1)
                    DenseTileKernel.Apply(ref c, n, ref panel[i0], stride, ref panel[j0], stride, width, TileUpdate.Subtract, path);
                else
                    DenseTileKernel.ApplyEdge(ref c, n, ref panel[i0], stride, rowCount, ref panel[j0], stride, Math.Min(columns, n - j0), width,
                        TileUpdate.Subtract, i0 - j0, path);
            }
        });
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Solves L X = B in place for <paramref name="columns"/> right-hand sides (B row-major n by columns): each
    /// right-hand side held contiguous, row i's entry less the dot product of L's row with the entries before it.</summary>
    public static void SolveLower(double[] l, int n, double[] b, int columns)
    {
        var x = new double[(long)columns * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < columns; c++) x[(long)c * n + i] = b[(long)i * columns + c];
        for (int i = 0; i < n; i++)
        {
            ref double row = ref l[(long)i * n];
            double diagonal = l[(long)i * n + i];
            for (int c = 0; c < columns; c++)
            {
                ref double xc = ref x[(long)c * n];
                x[(long)c * n + i] = (x[(long)c * n + i] - DenseRowOperations.Dot(ref row, ref xc, i)) / diagonal;
            }
        }
        for (int i = 0; i < n; i++)
            for (int c = 0; c < columns; c++) b[(long)i * columns + c] = x[(long)c * n + i];
    }

    /// <summary>Solves L' x = b in place.</summary>
    public static void SolveLowerTransposed(double[] l, int n, Span<double> b)
    {
        ref double first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = b[i] / l[(long)i * n + i];
            b[i] = xi;
            DenseRowOperations.MultiplyAdd(-xi, ref l[(long)i * n], ref first, i);
        }
    }

    /// <summary>Solves L' x = b in place for several right-hand sides, each at [<paramref name="offset"/>, offset + n)
    /// of its array: L's rows are read once for all of them.</summary>
    public static void SolveLowerTransposed(double[] l, int n, double[][] b, int offset)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double diagonal = l[(long)i * n + i];
            foreach (var v in b)
            {
                double xi = v[offset + i] / diagonal;
                v[offset + i] = xi;
                DenseRowOperations.MultiplyAdd(-xi, ref l[(long)i * n], ref v[offset], i);
            }
        }
    }

    /// <summary>2 sum log L_ii: log |L L'|.</summary>
    public static double LogDeterminant(double[] l, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.Log(l[(long)i * n + i]);
        return 2 * s;
    }
}

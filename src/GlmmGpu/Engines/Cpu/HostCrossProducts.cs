using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GlmmGpu.Kernels.Linear;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// <see cref="CrossProducts"/>' entries on the CPU, in its layout and, but for the sum of log w, to the bit:
/// each entry the sum of (w u) v in row order, as the kernels add it, so the CPU and a device agree exactly (the
/// optimizer, on central differences when q &gt; 1, would magnify any difference). What differs is the access:
/// contiguous column spans rather than one element at a time through <see cref="ILinearRows"/>, whose column
/// test per element cost more than the arithmetic; the global entries by <see cref="RowOrderLanes"/> (SIMD
/// across entries) where it applies, else, like the clusters' few rows, four entries' sums per loop over the
/// rows so that their additions' latencies overlap. The sum of log w, a constant of the deviance that moves no
/// optimizer, is <see cref="LogSum.OverPositive"/>: a log per 64 rows rather than per row.
/// </summary>
internal static class HostCrossProducts
{
    private const int Chains = 4;

    /// <summary>Cluster <paramref name="cluster"/>'s Z'WZ, Z'WX and Z'Wy over its rows [start, end); Z'WX in
    /// <see cref="LmmSufficientStatistics.ZtWX"/>'s layout, or by column (<see cref="LmmSufficientStatistics.ZtWXByColumn"/>)
    /// when <paramref name="clustersByColumn"/>, the number of clusters, is not 0.</summary>
    public static void Cluster(in HostLinearRows rows, int cluster, int start, int end, double[] ztwz, double[] ztwx, double[] ztwy, int clustersByColumn = 0)
    {
        int p = rows.P, q = rows.Q;
        // The right-hand columns of Z_d'W[Z | X | y]: Z's, X's, then y, in the layout's order within each part.
        Span<int> columns = stackalloc int[q + p + 1];
        for (int e = 0; e < q; e++) columns[e] = p + e;
        for (int a = 0; a < p; a++) columns[q + a] = a;
        columns[q + p] = p + q;
        Span<double> sums = stackalloc double[q + p + 1];
        for (int d = 0; d < q; d++)
        {
            InRowOrder(rows, start, end, p + d, columns, sums);
            int at = cluster * q + d;
            for (int e = 0; e < q; e++) ztwz[at * q + e] = sums[e];
            for (int a = 0; a < p; a++) ztwx[clustersByColumn > 0 ? a * clustersByColumn * q + at : at * p + a] = sums[q + a];
            ztwy[at] = sums[q + p];
        }
    }

    /// <summary>The first <paramref name="count"/> global entries over rows [start, end) into
    /// <paramref name="entries"/> (a GLM fit wants only X'WX and X'Wy).</summary>
    public static void Global(in HostLinearRows rows, int start, int end, int count, Span<double> entries)
    {
        if (RowOrderLanes.Applies(rows.P + 1, rows.P + 1)) GlobalAcrossLanes(rows, start, end, count, entries);
        else GlobalByChains(rows, start, end, count, entries);
    }

    /// <summary><see cref="Global"/> without SIMD: four entries' sums per loop over the rows.</summary>
    internal static void GlobalByChains(in HostLinearRows rows, int start, int end, int count, Span<double> entries)
    {
        int p = rows.P, y = p + rows.Q;
        Span<int> columns = stackalloc int[p + 1];
        Span<double> sums = stackalloc double[p + 1];
        for (int a = 0; a < p; a++)
        {
            // Row a of X'WX's triangle, (a, 0..a), and X'Wy's entry a: all (w x_a) times another column.
            for (int b = 0; b <= a; b++) columns[b] = b;
            columns[a + 1] = y;
            InRowOrder(rows, start, end, a, columns[..(a + 2)], sums);
            for (int b = 0; b <= a; b++)
                if (CrossProducts.TriangleEntry(a, b) < count) entries[CrossProducts.TriangleEntry(a, b)] = sums[b];
            if (CrossProducts.ResponseEntry(p, a) < count) entries[CrossProducts.ResponseEntry(p, a)] = sums[a + 1];
        }
        if (CrossProducts.ResponseEntry(p, p) < count)
        {
            columns[0] = y;
            InRowOrder(rows, start, end, y, columns[..1], sums);
            entries[CrossProducts.ResponseEntry(p, p)] = sums[0];
        }
        if (CrossProducts.SumLogWeightEntry(p) < count) entries[CrossProducts.SumLogWeightEntry(p)] = LogSum.OverPositive(rows.Weights(start, end - start));
    }

    /// <summary><see cref="Global"/> by <see cref="RowOrderLanes"/>: every (w u_a) v_b, u and v in [X | y], in one pass.</summary>
    internal static void GlobalAcrossLanes(in HostLinearRows rows, int start, int end, int count, Span<double> entries)
    {
        int p = rows.P, width = p + 1;
        Span<int> columns = stackalloc int[width];
        for (int a = 0; a < p; a++) columns[a] = a;
        columns[p] = p + rows.Q;
        Span<double> sums = stackalloc double[width * width];
        RowOrderLanes.Sums(rows, start, end, columns, columns, sums);
        // Each entry as CrossProducts.Weighted multiplies: X'WX's (a, b) is (w x_a) x_b, X'Wy's a is (w x_a) y.
        for (int a = 0; a < p; a++)
        {
            for (int b = 0; b <= a; b++)
                if (CrossProducts.TriangleEntry(a, b) < count) entries[CrossProducts.TriangleEntry(a, b)] = sums[a * width + b];
            if (CrossProducts.ResponseEntry(p, a) < count) entries[CrossProducts.ResponseEntry(p, a)] = sums[a * width + p];
        }
        if (CrossProducts.ResponseEntry(p, p) < count) entries[CrossProducts.ResponseEntry(p, p)] = sums[p * width + p];
        if (CrossProducts.SumLogWeightEntry(p) < count) entries[CrossProducts.SumLogWeightEntry(p)] = LogSum.OverPositive(rows.Weights(start, end - start));
    }

    /// <summary>sums[k] = sum over rows [start, end) of (w u) v_k, v_k = column columns[k], each in row order.</summary>
    private static void InRowOrder(in HostLinearRows rows, int start, int end, int u, ReadOnlySpan<int> columns, Span<double> sums)
    {
        int length = end - start;
        var w = rows.Weights(start, length);
        var left = rows.Span(u, start, length);
        for (int k = 0; k < columns.Length; k += Chains)
        {
            // A short last group repeats its last column; the repeats' sums are dropped.
            int last = columns.Length - 1;
            var v0 = rows.Span(columns[k], start, length);
            var v1 = rows.Span(columns[Math.Min(k + 1, last)], start, length);
            var v2 = rows.Span(columns[Math.Min(k + 2, last)], start, length);
            var v3 = rows.Span(columns[Math.Min(k + 3, last)], start, length);
            FourInRowOrder(w, left, v0, v1, v2, v3, out double s0, out double s1, out double s2, out double s3);
            sums[k] = s0;
            if (k + 1 <= last) sums[k + 1] = s1;
            if (k + 2 <= last) sums[k + 2] = s2;
            if (k + 3 <= last) sums[k + 3] = s3;
        }
    }

    /// <summary>Four sums of (w u) v_k in row order, as <see cref="CrossProducts.Weighted{TRows}"/> forms each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourInRowOrder(ReadOnlySpan<double> w, ReadOnlySpan<double> u, ReadOnlySpan<double> v0, ReadOnlySpan<double> v1,
        ReadOnlySpan<double> v2, ReadOnlySpan<double> v3, out double s0, out double s1, out double s2, out double s3)
    {
        int n = w.Length;
        if (u.Length != n || v0.Length != n || v1.Length != n || v2.Length != n || v3.Length != n)
            throw new ArgumentException("the columns differ in length");
        ref double rw = ref MemoryMarshal.GetReference(w);
        ref double ru = ref MemoryMarshal.GetReference(u);
        ref double r0 = ref MemoryMarshal.GetReference(v0);
        ref double r1 = ref MemoryMarshal.GetReference(v1);
        ref double r2 = ref MemoryMarshal.GetReference(v2);
        ref double r3 = ref MemoryMarshal.GetReference(v3);
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        for (nint i = 0; i < n; i++)
        {
            double wu = Unsafe.Add(ref rw, i) * Unsafe.Add(ref ru, i);
            a0 += wu * Unsafe.Add(ref r0, i);
            a1 += wu * Unsafe.Add(ref r1, i);
            a2 += wu * Unsafe.Add(ref r2, i);
            a3 += wu * Unsafe.Add(ref r3, i);
        }
        s0 = a0;
        s1 = a1;
        s2 = a2;
        s3 = a3;
    }
}

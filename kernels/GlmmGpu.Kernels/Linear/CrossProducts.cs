using GlmmGpu.Kernels.Numerics;
namespace GlmmGpu.Kernels.Linear;

/// <summary>
/// The cross-products of a weighted linear mixed model with one grouping factor, written once for the CPU path
/// and the ILGPU kernels. Every entry is its own sequential sum over rows in row order, of (w u) v, so an entry
/// does not depend on which other entries are formed with it, nor on the loop nesting around it; with the same
/// row blocks the CPU and a device therefore add the same numbers in the same order.
/// </summary>
public static class CrossProducts
{
    /// <summary>Rows per partial sum of the global entries; the CPU and the devices share it, so their partials agree.</summary>
    public const int GlobalRowBlock = 4096;

    /// <summary>Global entries: X'WX's lower triangle (row by row), X'Wy, y'Wy and the sum of log w.</summary>
    public static int GlobalCount(int p) => p * (p + 1) / 2 + p + 2;

    /// <summary>The global entry that holds X'WX's (a, b), b &lt;= a.</summary>
    public static int TriangleEntry(int a, int b) => a * (a + 1) / 2 + b;

    /// <summary>The global entry that holds X'Wy's entry a; a = p is y'Wy.</summary>
    public static int ResponseEntry(int p, int a) => p * (p + 1) / 2 + a;

    /// <summary>The global entry that holds the sum of log w, the last.</summary>
    public static int SumLogWeightEntry(int p) => p * (p + 1) / 2 + p + 1;

    /// <summary>Sum over rows [start, end) of (w_i u_i) v_i, for columns <paramref name="u"/> and <paramref name="v"/> of [X | Z | y].</summary>
    public static double Weighted<TRows>(ref TRows rows, int start, int end, int u, int v) where TRows : struct, ILinearRows
    {
        double s = 0.0;
        for (int i = start; i < end; i++) s += rows.Weight(i) * rows.Column(u, i) * rows.Column(v, i);
        return s;
    }

    /// <summary>What global entry <paramref name="entry"/> sums: (w u) v of columns u and v of [X | Z | y], or, where
    /// <see cref="GlobalTerm.LogWeight"/>, log w.</summary>
    public static GlobalTerm GlobalTermOf(int entry, int p, int q)
    {
        int y = p + q, triangle = ResponseEntry(p, 0);
        if (entry < triangle)
        {
            // Row a of the triangle holds entries (a, 0..a): walk to the row that holds this entry.
            int a = 0, b = entry;
            while (b > a)
            {
                a++;
                b -= a;
            }
            return new GlobalTerm(a, b, 0);
        }
        entry -= triangle;
        if (entry < p) return new GlobalTerm(entry, y, 0);
        if (entry == p) return new GlobalTerm(y, y, 0);
        return new GlobalTerm(0, 0, 1);
    }

    /// <summary>Row i's share of <paramref name="term"/>'s sum; false where the row adds nothing (log w of a w that is
    /// not positive).</summary>
    public static bool RowTerm<TRows>(ref TRows rows, in GlobalTerm term, int i, out double value) where TRows : struct, ILinearRows
    {
        double w = rows.Weight(i);
        if (term.LogWeight)
        {
            value = w > 0 ? PortableMath.Log(w) : 0.0;
            return w > 0;
        }
        value = w * rows.Column(term.U, i) * rows.Column(term.V, i);
        return true;
    }

    /// <summary>Global entry <paramref name="entry"/> (see <see cref="GlobalCount"/>) over rows [start, end): its rows'
    /// terms added in row order.</summary>
    public static double Global<TRows>(ref TRows rows, int entry, int start, int end, int p, int q) where TRows : struct, ILinearRows
    {
        var term = GlobalTermOf(entry, p, q);
        double s = 0.0;
        for (int i = start; i < end; i++)
            if (RowTerm(ref rows, term, i, out double value)) s += value;
        return s;
    }

    /// <summary>Cluster <paramref name="cluster"/>'s Z'WZ (q x q), Z'WX (q x p) and Z'Wy (q) over its rows [start, end).</summary>
    public static void Cluster<TRows, TTarget>(ref TRows rows, ref TTarget target, int cluster, int start, int end, int p, int q)
        where TRows : struct, ILinearRows
        where TTarget : struct, IClusterStatisticsTarget
    {
        for (int d = 0; d < q; d++)
        {
            int zd = p + d, at = cluster * q + d;
            for (int e = 0; e < q; e++) target.SetZtWZ(at * q + e, Weighted(ref rows, start, end, zd, p + e));
            for (int a = 0; a < p; a++) target.SetZtWX(at * p + a, Weighted(ref rows, start, end, zd, a));
            target.SetZtWy(at, Weighted(ref rows, start, end, zd, p + q));
        }
    }
}

/// <summary>What one global entry of <see cref="CrossProducts"/> sums over rows: (w u) v of columns U and V, or log w.</summary>
public readonly struct GlobalTerm
{
    public readonly int U, V;
    // A byte behind a bool property: ILGPU passes only blittable structs to kernels, and bool is not.
    private readonly byte logWeight;

    public GlobalTerm(int u, int v, byte logWeight)
    {
        U = u;
        V = v;
        this.logWeight = logWeight;
    }

    public bool LogWeight => logWeight != 0;
}

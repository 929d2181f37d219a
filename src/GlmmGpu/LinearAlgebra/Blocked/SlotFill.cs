namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The fill of the dense block by the sparse one, Rest -= L_r0 L_r0' (lower triangle): entry (r, c) less the sum over
/// the first term's levels j that meet both dense rows of L_r0[r, j] . L_r0[c, j]. Each dense row is formed on its own
/// (rows are independent, on any thread): its slots (<see cref="BlockedPattern.SlotsOfRow"/>) in level order, each
/// against its level's slots up to itself. The updates of a row stay in that row (the cache's), the slots read are
/// consecutive, and every entry's terms are added in level order, so the result does not depend on the threads.
/// </summary>
internal static class SlotFill
{
    /// <summary>Subtracts L_r0 L_r0' from the lower triangle of <paramref name="rest"/> (m by m, row-major), L_r0 by
    /// slot as <see cref="BlockedCholesky.Sparse"/>.</summary>
    public static void Subtract(BlockedPattern pattern, double[] sparse, double[] rest, ParallelOptions parallel)
    {
        int m = pattern.RestSize;
        // Row r takes work about in proportion to r: rows are handed out in blocks of a few, the last first.
        const int RowsPerTask = 4;
        int tasks = (m + RowsPerTask - 1) / RowsPerTask;
        Parallel.For(0, tasks, parallel, task =>
        {
            int high = m - task * RowsPerTask, low = Math.Max(0, high - RowsPerTask);
            for (int r = low; r < high; r++) Row(pattern, sparse, rest.AsSpan(r * m, r + 1), r);
        });
    }

    private static void Row(BlockedPattern pattern, double[] sparse, Span<double> row, int r)
    {
        int q0 = pattern.Q0;
        var slotRow = pattern.SlotRow;
        var columnStart = pattern.ColumnStart;
        var levelOfSlot = pattern.LevelOfSlot;
        for (int at = pattern.RowSlotStart[r]; at < pattern.RowSlotStart[r + 1]; at++)
        {
            int s = pattern.SlotsOfRow[at], start = columnStart[levelOfSlot[s]];
            switch (q0)
            {
                case 1:
                {
                    double ls = sparse[s];
                    for (int t = start; t <= s; t++) row[slotRow[t]] -= ls * sparse[t];
                    break;
                }
                case 2:
                {
                    double l0 = sparse[2 * s], l1 = sparse[2 * s + 1];
                    for (int t = start; t <= s; t++) row[slotRow[t]] -= l0 * sparse[2 * t] + l1 * sparse[2 * t + 1];
                    break;
                }
                default:
                    for (int t = start; t <= s; t++)
                    {
                        double dot = 0;
                        for (int f = 0; f < q0; f++) dot += sparse[(long)s * q0 + f] * sparse[(long)t * q0 + f];
                        row[slotRow[t]] -= dot;
                    }
                    break;
            }
        }
    }
}

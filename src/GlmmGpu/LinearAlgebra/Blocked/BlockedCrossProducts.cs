namespace GlmmGpu.LinearAlgebra.Blocked;

/// <summary>
/// The weighted cross-products of [Z | X | y] in the blocked layout of a <see cref="BlockedPattern"/>: Z0'WZ0 (q0 by q0
/// per level of the first term), the sparse Z_rest'WZ0, the dense Z_rest'WZ_rest, Z'W[X y] and [X y]'W[X y]. The
/// augmented columns are p columns of X and one response; the linear mixed model fills them once, PIRLS once per
/// iteration with its working weights and response.
/// </summary>
public sealed class BlockedCrossProducts
{
    public BlockedPattern Pattern { get; }
    /// <summary>Columns of the augmented design: p of X and the response last.</summary>
    public int Augmented { get; }
    /// <summary>Z0'WZ0: level j's q0-by-q0 block at <c>j q0^2</c>, row-major.</summary>
    public double[] FirstDiagonal { get; }
    /// <summary>Z_rest'WZ0 by slot: slot s's q0 entries at <c>s q0</c>.</summary>
    public double[] Sparse { get; }
    /// <summary>Z_rest'WZ_rest, dense, both triangles, row-major.</summary>
    public double[] Dense { get; }
    /// <summary>Z0'W[X y], (level j effect d) by column a at <c>(j q0 + d) Augmented + a</c>.</summary>
    public double[] FirstByColumn { get; }
    /// <summary>Z_rest'W[X y], dense row by column.</summary>
    public double[] RestByColumn { get; }
    /// <summary>[X y]'W[X y], row-major.</summary>
    public double[] ColumnsByColumn { get; }
    /// <summary>Sum of log prior weights over rows with positive weight (the Gaussian density's weight term).</summary>
    public double SumLogWeights { get; private set; }

    public BlockedCrossProducts(BlockedPattern pattern, int p)
    {
        Pattern = pattern;
        Augmented = p + 1;
        int q0 = pattern.Q0;
        FirstDiagonal = new double[(long)pattern.Levels0 * q0 * q0];
        Sparse = new double[(long)pattern.SlotCount * q0];
        Dense = new double[(long)pattern.RestSize * pattern.RestSize];
        FirstByColumn = new double[(long)pattern.FirstSize * Augmented];
        RestByColumn = new double[(long)pattern.RestSize * Augmented];
        ColumnsByColumn = new double[Augmented * Augmented];
    }

    /// <summary>
    /// Fills every product from the weights, X (column-major n by p) and the response. Three passes over the rows, each
    /// in data order and each the only writer of its products, run side by side on the threads of
    /// <paramref name="parallel"/> (one after another where null): the first term's blocks and rows of Z0'W[X y]; the
    /// sparse block, the dense block and Z_rest'W[X y]; [X y]'W[X y] and the log weights. Every sum is taken in the
    /// same order whatever the threads, so the products are the same bits.
    /// </summary>
    public void Fill(ReadOnlyMemory<double> weights, ReadOnlyMemory<double> x, ReadOnlyMemory<double> response, ParallelOptions? parallel = null)
    {
        var options = parallel ?? new ParallelOptions { MaxDegreeOfParallelism = 1 };
        Parallel.For(0, 3, options, pass =>
        {
            switch (pass)
            {
                case 0: FillFirst(weights.Span, x.Span, response.Span); break;
                case 1: FillRest(weights.Span, x.Span, response.Span); break;
                default: FillColumns(weights.Span, x.Span, response.Span); break;
            }
        });
    }

    /// <summary>The row's augmented values, X's p then the response.</summary>
    private static void Augment(ReadOnlySpan<double> x, ReadOnlySpan<double> response, int n, int i, Span<double> xa)
    {
        int p = xa.Length - 1;
        for (int a = 0; a < p; a++) xa[a] = x[a * n + i];
        xa[p] = response[i];
    }

    /// <summary>Z0'WZ0 and Z0'W[X y].</summary>
    private void FillFirst(ReadOnlySpan<double> weights, ReadOnlySpan<double> x, ReadOnlySpan<double> response)
    {
        Array.Clear(FirstDiagonal);
        Array.Clear(FirstByColumn);
        var pattern = Pattern;
        int n = pattern.RowCount, q0 = pattern.Q0, pa = Augmented;
        var z0 = pattern.Terms[0].Z;
        var first = pattern.Terms[0].LevelOfRow;
        Span<double> xa = stackalloc double[pa];
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            if (w == 0) continue;
            Augment(x, response, n, i, xa);
            int j = first[i];
            for (int d = 0; d < q0; d++)
            {
                double wz = w * z0[(long)d * n + i];
                long block = (long)j * q0 * q0 + d * q0;
                for (int e = 0; e < q0; e++) FirstDiagonal[block + e] += wz * z0[(long)e * n + i];
                long at = ((long)j * q0 + d) * pa;
                for (int a = 0; a < pa; a++) FirstByColumn[at + a] += wz * xa[a];
            }
        }
    }

    /// <summary>Z_rest'WZ0 (the sparse block), Z_rest'WZ_rest and Z_rest'W[X y].</summary>
    private void FillRest(ReadOnlySpan<double> weights, ReadOnlySpan<double> x, ReadOnlySpan<double> response)
    {
        Array.Clear(Sparse);
        Array.Clear(Dense);
        Array.Clear(RestByColumn);
        var pattern = Pattern;
        var terms = pattern.Terms;
        int n = pattern.RowCount, q0 = pattern.Q0, pa = Augmented, m = pattern.RestSize;
        var z0 = terms[0].Z;
        // Each row's dense rows and Z entries over the later terms, gathered once per row.
        int restEffects = 0;
        for (int k = 1; k < terms.Count; k++) restEffects += terms[k].Q;
        Span<double> xa = stackalloc double[pa];
        var rows = new int[restEffects];
        var values = new double[restEffects];
        var slots = new int[restEffects];
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            if (w == 0) continue;
            Augment(x, response, n, i, xa);
            int c = 0;
            for (int k = 1; k < terms.Count; k++)
            {
                var term = terms[k];
                int slot = pattern.SlotOfRow[k - 1][i], row = pattern.RestOffset[k] + term.LevelOfRow[i] * term.Q;
                for (int d = 0; d < term.Q; d++, c++)
                {
                    rows[c] = row + d;
                    slots[c] = slot + d;
                    values[c] = term.Z[(long)d * n + i];
                }
            }
            for (int a = 0; a < c; a++)
            {
                double wz = w * values[a];
                long sparseAt = (long)slots[a] * q0;
                for (int d = 0; d < q0; d++) Sparse[sparseAt + d] += wz * z0[(long)d * n + i];
                long denseRow = (long)rows[a] * m;
                for (int b = 0; b < c; b++) Dense[denseRow + rows[b]] += wz * values[b];
                long at = (long)rows[a] * pa;
                for (int col = 0; col < pa; col++) RestByColumn[at + col] += wz * xa[col];
            }
        }
    }

    /// <summary>[X y]'W[X y] and the sum of log weights.</summary>
    private void FillColumns(ReadOnlySpan<double> weights, ReadOnlySpan<double> x, ReadOnlySpan<double> response)
    {
        Array.Clear(ColumnsByColumn);
        int n = Pattern.RowCount, pa = Augmented;
        Span<double> xa = stackalloc double[pa];
        double sumLog = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            if (w == 0) continue;
            sumLog += Math.Log(w);
            Augment(x, response, n, i, xa);
            for (int a = 0; a < pa; a++)
            {
                double wx = w * xa[a];
                for (int b = 0; b < pa; b++) ColumnsByColumn[a * pa + b] += wx * xa[b];
            }
        }
        SumLogWeights = sumLog;
    }
}

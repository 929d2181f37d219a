using GlmmGpu.Kernels.Linear;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// The linear model's rows on the CPU: the frame's column-major X and Z, and a response and weights that may
/// cover only rows from <paramref name="firstRow"/> on (a block's worth, formed just before its sums and still
/// in cache). As <see cref="ILinearRows"/>, so the shared <see cref="CrossProducts"/> runs on them, and as
/// contiguous spans of one column, which the CPU path streams rather than asking for one element at a time.
/// </summary>
internal readonly struct HostLinearRows(double[] x, double[] z, double[] response, double[] weights, int n, int p, int q, int firstRow = 0) : ILinearRows
{
    public int N => n;
    public int P => p;
    public int Q => q;

    public double Weight(int row) => weights[row - firstRow];

    public double Column(int column, int row)
    {
        if (column < p) return x[(long)column * n + row];
        if (column < p + q) return z[(long)(column - p) * n + row];
        return response[row - firstRow];
    }

    /// <summary>Rows [start, start + length) of column <paramref name="column"/> of [X | Z | y].</summary>
    public ReadOnlySpan<double> Span(int column, int start, int length)
    {
        if (column < p) return x.AsSpan(column * n + start, length);
        if (column < p + q) return z.AsSpan((column - p) * n + start, length);
        return response.AsSpan(start - firstRow, length);
    }

    public ReadOnlySpan<double> Weights(int start, int length) => weights.AsSpan(start - firstRow, length);
}

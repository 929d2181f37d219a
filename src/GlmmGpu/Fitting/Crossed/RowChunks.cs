using GlmmGpu.Engines.Cpu;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>Row loops of the crossed PIRLS on all threads, in fixed chunks: a sum is taken per chunk and the chunks'
/// sums added in order, so the result is the same at any thread count.</summary>
internal static class RowChunks
{
    private const int ChunkRows = 1 << 12;

    public static void For(int n, ParallelOptions parallel, Action<int, int> body)
    {
        int chunks = (n + ChunkRows - 1) / ChunkRows;
        BlockLoop.For(chunks, parallel, c => body(c * ChunkRows, Math.Min(n, (c + 1) * ChunkRows)));
    }

    public static double Sum(int n, ParallelOptions parallel, Func<int, int, double> chunkSum)
    {
        int chunks = (n + ChunkRows - 1) / ChunkRows;
        var sums = new double[chunks];
        For(n, parallel, (start, end) => sums[start / ChunkRows] = chunkSum(start, end));
        double total = 0;
        foreach (double s in sums) total += s;
        return total;
    }
}

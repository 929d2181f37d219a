namespace GlmmGpu.Engines.Cpu;

/// <summary>Parallel.For over blocks, run inline where there is one block or one thread: a small model's evaluation is a
/// few microseconds of arithmetic, and a parallel loop's set-up would cost as much again.</summary>
internal static class BlockLoop
{
    public static void For(int blocks, ParallelOptions parallel, Action<int> body)
    {
        if (blocks == 1 || parallel.MaxDegreeOfParallelism == 1)
        {
            for (int b = 0; b < blocks; b++) body(b);
            return;
        }
        Parallel.For(0, blocks, parallel, body);
    }
}

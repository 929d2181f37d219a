using System.Collections.Concurrent;

namespace GlmmGpu.Data.Csv;

/// <summary>
/// Parses blocks of fields into the column builders on a second thread, so that number parsing (the larger
/// half of the work) overlaps the reader's tokenising. Blocks are handed over in order through a small
/// bounded queue and recycled, so memory stays at a few blocks whatever the file size.
/// </summary>
internal sealed class ColumnParser : IDisposable
{
    private const int BlocksInFlight = 3;
    private readonly CsvColumnBuilder[] builders;
    private readonly BlockingCollection<FieldBlock> full = new(BlocksInFlight);
    private readonly BlockingCollection<FieldBlock> free = new();
    private readonly Task worker;
    private Exception? failure;

    public ColumnParser(CsvColumnBuilder[] builders)
    {
        this.builders = builders;
        for (int i = 0; i < BlocksInFlight + 1; i++) free.Add(new FieldBlock(builders.Length));
        worker = Task.Factory.StartNew(Consume, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>An empty block to fill (waits while all blocks are being parsed).</summary>
    public FieldBlock Rent()
    {
        var block = free.Take();
        block.Clear();
        return block;
    }

    public void Submit(FieldBlock block) => full.Add(block);

    /// <summary>Waits until every submitted block is parsed.</summary>
    public void Complete()
    {
        full.CompleteAdding();
        worker.GetAwaiter().GetResult();
        if (failure is not null) throw new InvalidOperationException("parsing CSV fields failed", failure);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Consume()
    {
        foreach (var block in full.GetConsumingEnumerable())
        {
            // After a failure keep draining, so the reader never waits on a full queue.
            if (failure is null)
            {
                try
                {
                    for (int c = 0; c < builders.Length; c++)
                    {
                        var b = builders[c];
                        for (int r = 0; r < block.Count; r++) b.Add(block.Field(c, r));
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }
            free.Add(block);
        }
    }

    public void Dispose()
    {
        if (!full.IsAddingCompleted) full.CompleteAdding();
        worker.Wait();
        full.Dispose();
        free.Dispose();
    }
}

namespace GlmmGpu.Data.Csv;

/// <summary>
/// The fields of a run of records, copied out of the reader's buffer column by column (characters end to end,
/// with each field's end offset), so that another thread can parse them while the reader moves on.
/// </summary>
internal sealed class FieldBlock
{
    public const int Rows = 8192;
    private readonly char[][] chars;
    private readonly int[][] ends;

    public FieldBlock(int columns)
    {
        chars = new char[columns][];
        ends = new int[columns][];
        for (int c = 0; c < columns; c++)
        {
            chars[c] = new char[Rows * 16];
            ends[c] = new int[Rows];
        }
    }

    public int Count { get; private set; }
    public bool IsFull => Count == Rows;

    public void Clear() => Count = 0;

    /// <summary>Appends field <paramref name="column"/> of the current record; call for every column, then <see cref="EndRecord"/>.</summary>
    public void Add(int column, ReadOnlySpan<char> field)
    {
        int start = Count == 0 ? 0 : ends[column][Count - 1];
        ref char[] buffer = ref chars[column];
        if (start + field.Length > buffer.Length)
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, start + field.Length));
        field.CopyTo(buffer.AsSpan(start));
        ends[column][Count] = start + field.Length;
    }

    public void EndRecord() => Count++;

    public ReadOnlySpan<char> Field(int column, int row)
    {
        int start = row == 0 ? 0 : ends[column][row - 1];
        return chars[column].AsSpan(start, ends[column][row] - start);
    }
}

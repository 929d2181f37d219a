using GlmmGpu.Data.Csv;
using Parquet;
using Parquet.Schema;

namespace GlmmGpu.Data.Parquet;

/// <summary>
/// Reads one flat Parquet column, row group by row group, into a <see cref="DataColumn"/>. Every numeric
/// physical type becomes doubles (bool as 0/1; integers above 2^53 lose precision, as in R) and a null
/// becomes NaN, the table's missing value; a NaN or infinity stored in the file is kept and flagged in
/// <see cref="NumericColumn.NonFinite"/>, as the CSV loader flags a written <c>NaN</c>, so that the model
/// rejects it instead of silently dropping the row. Strings become a <see cref="StringColumn"/> (null
/// missing), interned because factor columns repeat a few levels over many rows.
/// </summary>
internal sealed class ParquetColumnReader
{
    private readonly DataField source;
    private readonly double[]? numbers;
    private readonly string?[]? strings;
    private readonly StringPool? pool;
    private bool[]? nonFinite;
    private int filled;

    private ParquetColumnReader(DataField column, int rows, bool text)
    {
        source = column;
        if (text)
        {
            strings = new string?[rows];
            pool = new StringPool();
        }
        else
        {
            numbers = new double[rows];
        }
    }

    public string Name => source.Name;

    /// <summary>A reader for the field, or null when its type is not one a model can use (dates, binary, decimals kept as bytes).</summary>
    public static ParquetColumnReader? For(DataField field, int rows)
    {
        if (IsText(field.ClrType)) return new ParquetColumnReader(field, rows, text: true);
        if (IsNumber(field.ClrType)) return new ParquetColumnReader(field, rows, text: false);
        return null;
    }

    /// <summary>Appends this column's values from one row group.</summary>
    public async Task ReadAsync(ParquetRowGroupReader group)
    {
        int n = checked((int)group.RowCount);
        Type t = source.ClrType;
        if (strings is not null) await ReadStrings(group, n);
        else if (t == typeof(double)) await ReadNumbers<double>(group, n, v => v);
        else if (t == typeof(float)) await ReadNumbers<float>(group, n, v => v);
        else if (t == typeof(int)) await ReadNumbers<int>(group, n, v => v);
        else if (t == typeof(long)) await ReadNumbers<long>(group, n, v => v);
        else if (t == typeof(bool)) await ReadNumbers<bool>(group, n, v => v ? 1.0 : 0.0);
        else if (t == typeof(short)) await ReadNumbers<short>(group, n, v => v);
        else if (t == typeof(sbyte)) await ReadNumbers<sbyte>(group, n, v => v);
        else if (t == typeof(byte)) await ReadNumbers<byte>(group, n, v => v);
        else if (t == typeof(ushort)) await ReadNumbers<ushort>(group, n, v => v);
        else if (t == typeof(uint)) await ReadNumbers<uint>(group, n, v => v);
        else if (t == typeof(ulong)) await ReadNumbers<ulong>(group, n, v => v);
        else await ReadNumbers<decimal>(group, n, v => (double)v);
        filled += n;
    }

    public DataColumn Build() => strings is not null
        ? new StringColumn(source.Name, strings)
        : new NumericColumn(source.Name, numbers!, nonFinite);

    private async Task ReadNumbers<T>(ParquetRowGroupReader group, int n, Func<T, double> convert) where T : struct
    {
        var buffer = new T?[n];
        await group.ReadAsync<T>(source, buffer.AsMemory());
        var dest = numbers!;
        for (int i = 0; i < n; i++)
        {
            if (buffer[i] is not { } v)
            {
                dest[filled + i] = double.NaN;
                continue;
            }
            double x = convert(v);
            dest[filled + i] = x;
            if (!double.IsFinite(x)) (nonFinite ??= new bool[dest.Length])[filled + i] = true;
        }
    }

    private async Task ReadStrings(ParquetRowGroupReader group, int n)
    {
        var dest = strings!;
        if (source.ClrType == typeof(string))
        {
            // Files opened with options that prefer System.String hand the values over already allocated.
            var allocated = new string?[n];
            await group.ReadAsync(source, allocated.AsMemory());
            for (int i = 0; i < n; i++) dest[filled + i] = allocated[i] is { } a ? pool!.Get(a) : null;
            return;
        }
        var buffer = new ReadOnlyMemory<char>?[n];
        await group.ReadAsync<ReadOnlyMemory<char>>(source, buffer.AsMemory());
        for (int i = 0; i < n; i++)
            dest[filled + i] = buffer[i] is { } s ? pool!.Get(s.Span) : null;
    }

    private static bool IsText(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>);

    private static bool IsNumber(Type t) =>
        t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(bool)
        || t == typeof(short) || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint)
        || t == typeof(ulong) || t == typeof(decimal);
}

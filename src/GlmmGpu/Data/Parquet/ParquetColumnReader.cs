using GlmmGpu.Data.Csv;
using Parquet;
using Parquet.Schema;

namespace GlmmGpu.Data.Parquet;

/// <summary>
/// Reads one flat Parquet column, row group by row group, into a <see cref="DataColumn"/>. Every numeric
/// physical type becomes doubles (bool as 0/1) and a null becomes NaN, the table's missing value, except a 64-bit
/// integer column holding a value beyond 2^53, where neighbouring integers share a double: it becomes text, each
/// integer written out exactly, so that long ids stay distinct groups (as the CSV loader reads them); a NaN or infinity stored in the file is kept and flagged in
/// <see cref="NumericColumn.NonFinite"/>, as the CSV loader flags a written <c>NaN</c>, so that the model
/// rejects it instead of silently dropping the row. Strings become a <see cref="StringColumn"/> (null
/// missing), interned because factor columns repeat a few levels over many rows.
/// </summary>
internal sealed class ParquetColumnReader
{
    private readonly DataField source;
    private double[]? numbers;
    private string?[]? strings;
    private StringPool? pool;
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
        else if (t == typeof(long)) await ReadIntegers<long>(group, n);
        else if (t == typeof(bool)) await ReadNumbers<bool>(group, n, v => v ? 1.0 : 0.0);
        else if (t == typeof(short)) await ReadNumbers<short>(group, n, v => v);
        else if (t == typeof(sbyte)) await ReadNumbers<sbyte>(group, n, v => v);
        else if (t == typeof(byte)) await ReadNumbers<byte>(group, n, v => v);
        else if (t == typeof(ushort)) await ReadNumbers<ushort>(group, n, v => v);
        else if (t == typeof(uint)) await ReadNumbers<uint>(group, n, v => v);
        else if (t == typeof(ulong)) await ReadIntegers<ulong>(group, n);
        else await ReadNumbers<decimal>(group, n, v => (double)v);
        filled += n;
    }

    public DataColumn Build() => strings is null
        ? new NumericColumn(source.Name, numbers!, nonFinite)
        : new StringColumn(source.Name, strings, IsText(source.ClrType) ? null : TextValues.FindNonNumeric(strings, strings.Length, [pool!.Values]));

    /// <summary>64-bit integers: as doubles while every one is exact, else as text from then on (<see cref="ToText"/>).</summary>
    private async Task ReadIntegers<T>(ParquetRowGroupReader group, int n) where T : struct, System.Numerics.IBinaryInteger<T>
    {
        var buffer = await ReadValues<T>(group, n);
        if (strings is null)
        {
            bool exact = true;
            foreach (var b in buffer)
                if (b is { } v && Math.Abs(double.CreateTruncating(v)) > MaxExactInteger) exact = false;
            if (exact)
            {
                for (int i = 0; i < n; i++) numbers![filled + i] = buffer[i] is { } v ? double.CreateTruncating(v) : double.NaN;
                return;
            }
            ToText();
        }
        var dest = strings!;
        for (int i = 0; i < n; i++)
            dest[filled + i] = buffer[i] is { } v ? pool!.Get(v.ToString(null, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>One row group's values, null where missing. A required (non-nullable) column is read into a plain
    /// buffer: read into a nullable one, Parquet.Net 6.1 left some values null at random (the rows then read as
    /// missing and were dropped; seen in the Bayes draws test, not reproduced in isolation).</summary>
    private async Task<T?[]> ReadValues<T>(ParquetRowGroupReader group, int n) where T : struct
    {
        var buffer = new T?[n];
        if (source.IsNullable)
        {
            await group.ReadAsync<T>(source, buffer.AsMemory());
            return buffer;
        }
        var values = new T[n];
        await group.ReadAsync<T>(source, values.AsMemory());
        for (int i = 0; i < n; i++) buffer[i] = values[i];
        return buffer;
    }

    private const double MaxExactInteger = 9007199254740992.0; // 2^53

    /// <summary>Turns the integers read so far (all exact doubles) into their text, for a column that met a longer one.</summary>
    private void ToText()
    {
        strings = new string?[numbers!.Length];
        pool = new StringPool();
        for (int i = 0; i < filled; i++)
            strings[i] = double.IsNaN(numbers[i]) ? null : pool.Get(((long)numbers[i]).ToString(System.Globalization.CultureInfo.InvariantCulture));
        numbers = null;
    }

    private async Task ReadNumbers<T>(ParquetRowGroupReader group, int n, Func<T, double> convert) where T : struct
    {
        var buffer = await ReadValues<T>(group, n);
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
            for (int i = 0; i < n; i++)
            {
                if (allocated[i] is not { } a) continue;
                RefuseReplacementCharacter(a, filled + i);
                dest[filled + i] = pool!.Get(a);
            }
            return;
        }
        var buffer = new ReadOnlyMemory<char>?[n];
        await group.ReadAsync<ReadOnlyMemory<char>>(source, buffer.AsMemory());
        for (int i = 0; i < n; i++)
        {
            if (buffer[i] is not { } s) continue;
            RefuseReplacementCharacter(s.Span, filled + i);
            dest[filled + i] = pool!.Get(s.Span);
        }
    }

    /// <summary>Parquet.Net decodes bytes that are not UTF-8 to U+FFFD, so distinct values would merge into one level:
    /// refuse them, as the CSV loader refuses such bytes.</summary>
    private void RefuseReplacementCharacter(ReadOnlySpan<char> value, int row)
    {
        if (value.IndexOf('\uFFFD') < 0) return;
        throw new GlmmException(
            $"column '{source.Name}' row {row + 1} holds bytes that are not UTF-8 (or the replacement character U+FFFD " +
            "they decode to): distinct values would merge into one level; write the file's strings as UTF-8");
    }

    private static bool IsText(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>);

    private static bool IsNumber(Type t) =>
        t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(bool)
        || t == typeof(short) || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint)
        || t == typeof(ulong) || t == typeof(decimal);
}

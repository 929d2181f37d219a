using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Data.Csv;
using Xunit;

namespace GlmmGpu.Tests.Data;

/// <summary>A file cut into parts parses to the table that reading it in one go gives (<see cref="ChunkedCsvReader"/>).</summary>
public class ChunkedCsvTests
{
    private static readonly int[] PartCounts = [2, 3, 5, 8, 13];

    /// <summary>Numbers with blank lines, missing values, NaN and infinities, and a text column, over many lines so that cuts fall everywhere.</summary>
    private static string Mixed(int rows, string newline = "\n")
    {
        var sb = new StringBuilder("i,x,s,y").Append(newline);
        for (int i = 0; i < rows; i++)
        {
            if (i % 17 == 3) sb.Append(newline); // a blank line, skipped
            string x = (i % 23) switch { 5 => "", 6 => "NA", 7 => "NaN", 8 => "Inf", 9 => "-Inf", _ => (i * 0.37 - 5).ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
            sb.Append(i).Append(',').Append(x).Append(",lvl").Append(i % 4).Append(',').Append(i % 2).Append(newline);
        }
        return sb.ToString();
    }

    private static DataTable InParts(string text, int parts, CsvOptions? options = null) =>
        WithFile(text, path =>
        {
            Assert.True(FileChunks.Of(path, parts, 1).CanSplit);
            return CsvLoader.Load(path, options, parts, 1);
        });

    private static T WithFile<T>(string text, Func<string, T> use, Encoding? encoding = null)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
            return use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertSameTable(DataTable expected, DataTable actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Columns.Select(c => c.Name), actual.Columns.Select(c => c.Name));
        Assert.Equal(expected.FactorColumns.Order(), actual.FactorColumns.Order());
        for (int c = 0; c < expected.Columns.Count; c++)
        {
            switch (expected.Columns[c])
            {
                case NumericColumn e:
                    var a = Assert.IsType<NumericColumn>(actual.Columns[c]);
                    Assert.Equal(e.Values.Select(BitConverter.DoubleToInt64Bits), a.Values.Select(BitConverter.DoubleToInt64Bits));
                    Assert.Equal(e.NonFinite, a.NonFinite);
                    break;
                case StringColumn e:
                    Assert.Equal(e.Values, Assert.IsType<StringColumn>(actual.Columns[c]).Values);
                    break;
            }
        }
    }

    [Fact]
    public void PartsGiveTheTableOfOnePass()
    {
        foreach (var newline in new[] { "\n", "\r\n" })
        {
            var text = Mixed(500, newline);
            var expected = CsvLoader.Load(new StringReader(text));
            Assert.Equal(500, expected.RowCount);
            Assert.NotNull(((NumericColumn)expected["x"]).NonFinite);
            foreach (int parts in PartCounts) AssertSameTable(expected, InParts(text, parts));
        }
    }

    [Fact]
    public void NoFinalNewlineAndAByteOrderMark()
    {
        var text = Mixed(200).TrimEnd('\n');
        var expected = CsvLoader.Load(new StringReader(text));
        foreach (int parts in PartCounts)
        {
            AssertSameTable(expected, InParts(text, parts));
            AssertSameTable(expected, WithFile(text, path => CsvLoader.Load(path, null, parts, 1), new UTF8Encoding(true)));
        }
    }

    [Fact]
    public void TextInOnePartMakesTheColumnTextAsWritten()
    {
        // z is numeric until row 150 (written 1.50 style), then text; w is missing until row 150, then text.
        var sb = new StringBuilder("a,z,w\n");
        for (int i = 0; i < 300; i++) sb.Append(i).Append(',').Append(i < 150 ? $"{i}.50" : "t" + i).Append(',').Append(i < 150 ? "" : "u").Append('\n');
        var text = sb.ToString();
        var expected = CsvLoader.Load(new StringReader(text));
        Assert.Equal("0.50", ((StringColumn)expected["z"]).Values[0]);
        Assert.Null(((StringColumn)expected["w"]).Values[0]);
        foreach (int parts in PartCounts) AssertSameTable(expected, InParts(text, parts));
    }

    [Fact]
    public void ColumnsAndFactorsOptionsApply()
    {
        var text = Mixed(300);
        var options = new CsvOptions { Columns = ["y", "x"], Factors = ["y"] };
        var expected = CsvLoader.Load(new StringReader(text), options);
        Assert.Equal(new[] { "x", "y" }, expected.Columns.Select(c => c.Name));
        foreach (int parts in PartCounts) AssertSameTable(expected, InParts(text, parts, options));
    }

    [Fact]
    public void AnErrorNamesTheLineOfTheWholeFile()
    {
        // A short record on physical line 400 (blank lines included), deep in a later part; and a missing column.
        var lines = Mixed(500).Split('\n');
        lines[399] = "7";
        var text = string.Join('\n', lines);
        var expected = Assert.Throws<GlmmException>(() => CsvLoader.Load(new StringReader(text))).Message;
        Assert.Contains("line 400 ", expected);
        foreach (int parts in PartCounts)
            Assert.Equal(expected.Replace("the CSV text", "FILE"), WithFile(text, path =>
                Assert.Throws<GlmmException>(() => CsvLoader.Load(path, null, parts, 1)).Message.Replace($"data file '{path}'", "FILE")));
        var missing = WithFile(text, path => Assert.Throws<GlmmException>(() => CsvLoader.Load(path, new CsvOptions { Columns = ["q"] }, 4, 1)));
        Assert.Contains("column 'q' is not in", missing.Message);
    }

    [Fact]
    public void PartsStartOnTheLinesTheyName()
    {
        var text = Mixed(400, "\r\n");
        WithFile(text, path =>
        {
            var bytes = File.ReadAllBytes(path);
            var scan = FileChunks.Of(path, 6, 1);
            Assert.Equal(6, scan.Chunks.Length);
            long at = 0;
            foreach (var chunk in scan.Chunks)
            {
                Assert.Equal(at, chunk.Start);
                if (chunk.Start > 0)
                {
                    Assert.Equal((byte)'\n', bytes[chunk.Start - 1]);
                    Assert.Equal(bytes.AsSpan(0, (int)chunk.Start).Count((byte)'\n') + 1, chunk.FirstLine);
                }
                at += chunk.Length;
            }
            Assert.Equal(bytes.Length, at);
            // Every line but the header is a possible record: blank lines make the capacities an overestimate.
            Assert.Equal(bytes.AsSpan().Count((byte)'\n') - 1, scan.Chunks.Sum(c => c.Capacity));
            return 0;
        });
    }

    [Fact]
    public void QuotesOrBareCarriageReturnsAreReadInOnePass()
    {
        // A quoted field may hold a line feed, so a file with a quote is not cut.
        var quoted = "a,b\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},\"q{i}\"\n"));
        WithFile(quoted, path =>
        {
            Assert.False(FileChunks.Of(path, 4, 1).CanSplit);
            AssertSameTable(CsvLoader.Load(new StringReader(quoted)), CsvLoader.Load(path, null, 4, 1));
            return 0;
        });
        // Bare carriage returns end records that the line feeds do not count: the first part holds two records and no
        // line feed after its header, so it overflows and the file is read in one go.
        var mixed = "a,b\r1,2\r3,4\n5,6\r7,8\r";
        var expected = CsvLoader.Load(new StringReader(mixed));
        Assert.Equal(new[] { 1.0, 3.0, 5.0, 7.0 }, ((NumericColumn)expected["a"]).Values);
        Assert.Null(WithFile(mixed, path => ChunkedCsvReader.TryRead(path, FileChunks.Of(path, 2, 1), new CsvOptions(), "the file")));
        AssertSameTable(expected, InParts(mixed, 2));
    }
}

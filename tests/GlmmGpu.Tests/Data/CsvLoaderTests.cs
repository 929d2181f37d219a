using GlmmGpu.Data;
using Xunit;

namespace GlmmGpu.Tests.Data;

public class CsvLoaderTests
{
    private static DataTable Read(string text, CsvOptions? options = null) => CsvLoader.Load(new StringReader(text), options);

    private static double[] Numbers(DataTable t, string name) => Assert.IsType<NumericColumn>(t[name]).Values;
    private static string?[] Strings(DataTable t, string name) => Assert.IsType<StringColumn>(t[name]).Values;

    [Fact]
    public void ReadsNumbersAndStringsIntoColumns()
    {
        var t = Read("a,b,c\n1,x,2.5\n-3e2,y,0\n");
        Assert.Equal(2, t.RowCount);
        Assert.Equal(new[] { "a", "b", "c" }, t.Columns.Select(c => c.Name));
        Assert.Equal(new[] { 1.0, -300.0 }, Numbers(t, "a"));
        Assert.Equal(new[] { "x", "y" }, Strings(t, "b"));
        Assert.Equal(new[] { 2.5, 0.0 }, Numbers(t, "c"));
        Assert.Empty(t.FactorColumns);
    }

    [Fact]
    public void QuotedFieldsMayHoldCommasQuotesAndNewlines()
    {
        var t = Read("name,n\n\"Smith, J\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n");
        Assert.Equal(new[] { "Smith, J", "say \"hi\"", "two\nlines" }, Strings(t, "name"));
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, Numbers(t, "n"));
    }

    [Fact]
    public void EmptyFieldsAndNAAreMissing()
    {
        var t = Read("x,s\n1,a\n,\nNA,NA\n4,\"\"\n");
        var x = (NumericColumn)t["x"];
        Assert.False(x.IsMissing(0));
        Assert.True(x.IsMissing(1));
        Assert.True(x.IsMissing(2));
        Assert.Equal(4.0, x.Values[3]);
        Assert.Equal(new[] { "a", null, null, null }, Strings(t, "s"));
    }

    [Fact]
    public void NaNAndInfinitiesAreFlaggedNotMissing()
    {
        var t = Read("x\n1\nNaN\nInf\n-Inf\n\n2\nNA\n");
        var x = (NumericColumn)t["x"];
        Assert.Equal(6, t.RowCount); // the blank line is skipped
        Assert.True(double.IsNaN(x.Values[1]));
        Assert.Equal(double.PositiveInfinity, x.Values[2]);
        Assert.Equal(double.NegativeInfinity, x.Values[3]);
        Assert.NotNull(x.NonFinite);
        Assert.Equal(new[] { false, true, true, true, false, false }, x.NonFinite);
        Assert.False(x.IsMissing(1));
        Assert.True(x.IsMissing(5));
    }

    [Fact]
    public void ColumnsWithoutNonFiniteValuesCarryNoFlags()
    {
        var t = Read("x\n1\n2\n");
        Assert.Null(((NumericColumn)t["x"]).NonFinite);
    }

    [Fact]
    public void QuotedNumbersAreFactors()
    {
        var t = Read("\"herd\",\"n\",\"g\"\n\"1\",2,\"a\"\n\"10\",3,\"b\"\n");
        Assert.Equal(new[] { 1.0, 10.0 }, Numbers(t, "herd"));
        Assert.Contains("herd", t.FactorColumns);
        Assert.DoesNotContain("n", t.FactorColumns);
        Assert.True(t.IsFactor("herd"));
        Assert.True(t.IsFactor("g"));
        Assert.False(t.IsFactor("n"));
    }

    [Fact]
    public void QuotingIsJudgedByTheFirstNonEmptyField()
    {
        var t = Read("a,b\n,1\n\"2\",\"3\"\n4,5\n");
        Assert.Contains("a", t.FactorColumns);
        Assert.DoesNotContain("b", t.FactorColumns);
    }

    [Fact]
    public void TextAfterNumbersKeepsTheNumbersAsWritten()
    {
        var t = Read("v,n\n1.50,1\n2,2\nabc,3\n");
        Assert.Equal(new[] { "1.50", "2", "abc" }, Strings(t, "v"));
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, Numbers(t, "n"));
    }

    [Fact]
    public void MissingValuesBeforeTextStayMissing()
    {
        var t = Read("v\nNA\n\nabc\n");
        Assert.Equal(new[] { null, "abc" }, Strings(t, "v"));
    }

    [Fact]
    public void FactorsOptionAddsColumns()
    {
        var t = Read("a,b\n1,2\n", new CsvOptions { Factors = new[] { "b" } });
        Assert.Contains("b", t.FactorColumns);
        Assert.True(t.IsFactor("b"));
    }

    [Fact]
    public void UnknownFactorColumnIsAnError()
    {
        var e = Assert.Throws<GlmmException>(() => Read("a,b\n1,2\n", new CsvOptions { Factors = new[] { "zz" } }));
        Assert.Contains("'zz'", e.Message);
        Assert.Contains("a, b", e.Message);
    }

    [Fact]
    public void ColumnsOptionLoadsSomeColumns()
    {
        var t = Read("a,b,c\n1,x,3\n", new CsvOptions { Columns = new[] { "c", "a" } });
        Assert.Equal(new[] { "a", "c" }, t.Columns.Select(c => c.Name));
        var e = Assert.Throws<GlmmException>(() => Read("a,b\n1,2\n", new CsvOptions { Columns = new[] { "q" } }));
        Assert.Contains("'q'", e.Message);
    }

    [Fact]
    public void RaggedRowNamesTheLine()
    {
        // The quoted newline in the first record puts the short record on line 5.
        var e = Assert.Throws<GlmmException>(() => Read("a,b\n\"x\ny\",1\n2,3\n4\n5,6\n"));
        Assert.Contains("line 5", e.Message);
        Assert.Contains("1 fields", e.Message);
        var e2 = Assert.Throws<GlmmException>(() => Read("a,b\n1,2,3\n"));
        Assert.Contains("line 2", e2.Message);
    }

    [Fact]
    public void MalformedQuotingNamesTheLine()
    {
        var e = Assert.Throws<GlmmException>(() => Read("a,b\n1,2\n\"open,3\n4,5\n"));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void DuplicateColumnNamesAreAnError()
    {
        Assert.Contains("two columns named 'a' (columns 1 and 2 of the header)", Assert.Throws<GlmmException>(() => Read("a,a\n1,2\n")).Message);
    }

    [Fact]
    public void EmptyInputIsAnError()
    {
        Assert.Contains("empty", Assert.Throws<GlmmException>(() => Read("")).Message);
    }

    [Fact]
    public void HeaderOnlyIsAnError()
    {
        Assert.Equal("the CSV text has a header but no data rows", Assert.Throws<GlmmException>(() => Read("a,b\n")).Message);
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var e = Assert.Throws<GlmmException>(() => CsvLoader.Load("/no/such/file.csv"));
        Assert.Contains("/no/such/file.csv", e.Message);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<GlmmException>(() => CsvLoader.Load(path));
            Assert.Contains("empty", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WindowsLineEndsAndNoFinalNewline()
    {
        var t = Read("a,b\r\n1,x\r\n2,y");
        Assert.Equal(new[] { 1.0, 2.0 }, Numbers(t, "a"));
        Assert.Equal(new[] { "x", "y" }, Strings(t, "b"));
    }

    [Fact]
    public void LoadsTheReferenceData()
    {
        var cbpp = CsvLoader.Load(Fixtures.Path("cbpp.csv"));
        Assert.Equal(56, cbpp.RowCount);
        Assert.Equal(new[] { "herd", "period" }, cbpp.FactorColumns.Order());
        Assert.Equal(new[] { 2.0, 3.0, 4.0 }, Numbers(cbpp, "incidence")[..3]);
        Assert.Equal(14.0, Numbers(cbpp, "size")[0]);

        var verbagg = CsvLoader.Load(Fixtures.Path("verbagg.csv"));
        Assert.Equal(7584, verbagg.RowCount);
        Assert.Equal("M", Strings(verbagg, "Gender")[0]);
        Assert.Contains("id", verbagg.FactorColumns);
        Assert.False(verbagg.IsFactor("r2"));

        var grouse = CsvLoader.Load(Fixtures.Path("grouseticks.csv"));
        Assert.Equal(403, grouse.RowCount);
        Assert.Equal(new[] { "BROOD", "INDEX", "LOCATION", "YEAR" }, grouse.FactorColumns.Order());
        Assert.Equal(2.75930521091811, Numbers(grouse, "cHEIGHT")[0]);
    }

    [Fact]
    public void FileAndTextGiveTheSameTable()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            var text = "\"g\",x,s\n\"1\",0.5,a\n\"2\",,\"b,c\"\n\"1\",1e-3,NA\n";
            File.WriteAllText(path, text);
            var a = CsvLoader.Load(path);
            var b = Read(text);
            Assert.Equal(Numbers(a, "x"), Numbers(b, "x"));
            Assert.Equal(Strings(a, "s"), Strings(b, "s"));
            Assert.Equal(a.FactorColumns.Order(), b.FactorColumns.Order());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ManyRowsLoadInOrder()
    {
        var sb = new System.Text.StringBuilder("i,x,g\n");
        for (int i = 0; i < 20000; i++) sb.Append(i).Append(',').Append(i * 0.25).Append(",\"g").Append(i % 7).Append("\"\n");
        var t = Read(sb.ToString());
        Assert.Equal(20000, t.RowCount);
        var x = Numbers(t, "x");
        var g = Strings(t, "g");
        for (int i = 0; i < 20000; i++)
        {
            Assert.Equal(i * 0.25, x[i]);
            Assert.Equal("g" + (i % 7), g[i]);
        }
    }
}

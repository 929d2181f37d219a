using System.IO.Compression;
using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Data;

/// <summary>
/// Files that are not comma-separated UTF-8 text with a header, and headers and lines a reader could take wrongly:
/// each is read as written or stopped with a message that says what the file seems to be, by every route.
/// </summary>
public class CsvFileCheckTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>cbpp with herds 1 and 2 renamed to the Latin-1 bytes of "hé" and "hè", quoted (as R writes it) or not.</summary>
    private static byte[] Latin1Cbpp(bool quoted)
    {
        var text = File.ReadAllText(Fixtures.Path("cbpp.csv"));
        if (!quoted) text = text.Replace("\"", "");
        string q = quoted ? "\"" : "";
        text = text.Replace($"\n{q}1{q},", $"\n{q}h\u00e9{q},").Replace($"\n{q}2{q},", $"\n{q}h\u00e8{q},");
        return Encoding.Latin1.GetBytes(text);
    }

    [Fact]
    public void BytesThatAreNotUtf8AreAnErrorNamingTheLineAndColumn()
    {
        // Read with replacement characters, both herds would be one level "h\uFFFD": 14 groups instead of 15.
        foreach (bool quoted in new[] { true, false })
        {
            Assert.Equal(
                "SOURCE line 2, column 'herd', holds bytes that are not UTF-8 (is the file Latin-1 or Windows-1252?): " +
                "convert it to UTF-8, e.g. iconv -f latin1 -t utf-8",
                CsvRoutes.ErrorOfAll(Latin1Cbpp(quoted), withText: false));
        }
        // Far into a file cut into parts, the line is still that of the whole file.
        var sb = new StringBuilder("y,x,g\n");
        for (int i = 0; i < 400; i++) sb.Append(i % 2).Append(',').Append(i).Append(',').Append(i == 333 ? "caf\u00e9" : "g" + i % 9).Append('\n');
        Assert.StartsWith("SOURCE line 335, column 'g', holds bytes that are not UTF-8",
            CsvRoutes.ErrorOfAll(Encoding.Latin1.GetBytes(sb.ToString()), withText: false));
        Assert.StartsWith("SOURCE line 1, column 3 of the header, holds bytes that are not UTF-8",
            CsvRoutes.ErrorOfAll(Encoding.Latin1.GetBytes("y,x,gr\u00fcppe\n1,2,3\n"), withText: false));
    }

    [Fact]
    public void Utf8TextAndAByteOrderMarkReadAsWritten()
    {
        var text = "y,x,g\n1,2,h\u00e9\n0,3,h\u00e8\n1,4,\u6c34\n";
        foreach (var withBom in new[] { false, true })
        {
            var bytes = new UTF8Encoding(withBom).GetPreamble().Concat(Bytes(text)).ToArray();
            foreach (var t in CsvRoutes.LoadAll(bytes, withText: !withBom))
            {
                Assert.Equal(["y", "x", "g"], t.Columns.Select(c => c.Name));
                Assert.Equal(new string?[] { "h\u00e9", "h\u00e8", "\u6c34" }, Assert.IsType<StringColumn>(t["g"]).Values);
            }
        }
    }

    [Fact]
    public void AHeaderWithoutDataRowsIsAnError()
    {
        Assert.Equal("SOURCE has a header but no data rows", CsvRoutes.ErrorOfAll("y,x,g\n"));
        Assert.Equal("SOURCE has a header but no data rows", CsvRoutes.ErrorOfAll("y,x,g\r\n\r\n\n"));
    }

    [Theory]
    [InlineData(";", "';'")]
    [InlineData("\t", "tabs")]
    [InlineData("|", "'|'")]
    [InlineData(" ", "spaces")]
    public void AnotherSeparatorIsNamed(string separator, string named)
    {
        var cbpp = File.ReadAllText(Fixtures.Path("cbpp.csv"));
        foreach (var text in new[] { cbpp.Replace(",", separator), cbpp.Replace("\"", "").Replace(",", separator) })
        {
            Assert.StartsWith($"SOURCE seems to be separated by {named}: its first line has no commas, and glmm reads comma-separated files",
                CsvRoutes.ErrorOfAll(text));
        }
    }

    [Fact]
    public void ACommentLineFirstIsNamed()
    {
        Assert.Equal("SOURCE line 1 starts with '#', but glmm reads no comment lines: the first line must be the header of column names",
            CsvRoutes.ErrorOfAll("# made by a script\ny,x,g\n1,2,3\n"));
    }

    [Fact]
    public void CompressedAndOtherFilesAreNamed()
    {
        var cbpp = File.ReadAllBytes(Fixtures.Path("cbpp.csv"));
        var gzip = new MemoryStream();
        using (var z = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true)) z.Write(cbpp);
        Assert.Equal("SOURCE is gzip-compressed: decompress it first (gunzip)", CsvRoutes.ErrorOfAll(gzip.ToArray(), withText: false));

        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        using (var entry = archive.CreateEntry("cbpp.csv").Open()) entry.Write(cbpp);
        Assert.Equal("SOURCE is a zip archive (an Excel .xlsx workbook is one): extract the CSV file, or save the sheet as CSV",
            CsvRoutes.ErrorOfAll(zip.ToArray(), withText: false));

        Assert.Equal("SOURCE is a Parquet file: give it the extension .parquet", CsvRoutes.ErrorOfAll(Bytes("PAR1\u0015\u0004\0\0rest"), withText: false));
        Assert.Equal("SOURCE is UTF-16 text: save it as UTF-8",
            CsvRoutes.ErrorOfAll(new UnicodeEncoding(false, true).GetPreamble().Concat(Encoding.Unicode.GetBytes("y,x\n1,2\n")).ToArray(), withText: false));
        Assert.Equal("SOURCE is not a text file: it holds NUL bytes (UTF-16 text without a byte-order mark must be saved as UTF-8)",
            CsvRoutes.ErrorOfAll(Encoding.Unicode.GetBytes("y,x\n1,2\n"), withText: false));
    }

    [Fact]
    public void ALineStartingWithAHashIsData()
    {
        // Sylvan's default takes such lines for comments and drops them; R's read.csv reads them.
        foreach (var t in CsvRoutes.LoadAll("y,code\n1,#a\n#N/A,b\n3,#c\n"))
        {
            Assert.Equal(3, t.RowCount);
            Assert.Equal(new string?[] { "#a", "b", "#c" }, Assert.IsType<StringColumn>(t["code"]).Values);
            Assert.Equal(new string?[] { "1", "#N/A", "3" }, Assert.IsType<StringColumn>(t["y"]).Values);
        }
    }

    [Fact]
    public void LongLinesAndWideFilesLoad()
    {
        // 3000 columns make a header of 20,000 characters, past the reader's default buffer; one field of 200,000 characters.
        var names = Enumerable.Range(0, 3000).Select(i => $"col{i}").ToArray();
        var sb = new StringBuilder(string.Join(',', names)).Append('\n');
        for (int r = 0; r < 3; r++) sb.Append(string.Join(',', names.Select((_, i) => (i + r).ToString()))).Append('\n');
        foreach (var t in CsvRoutes.LoadAll(sb.ToString()))
        {
            Assert.Equal(3000, t.Columns.Count);
            Assert.Equal([2999.0, 3000, 3001], Assert.IsType<NumericColumn>(t["col2999"]).Values);
        }
        var longField = new string('x', 200_000);
        foreach (var t in CsvRoutes.LoadAll($"a,b\n1,{longField}\n2,y\n"))
            Assert.Equal(longField, Assert.IsType<StringColumn>(t["b"]).Values[0]);
    }

    [Fact]
    public void HeaderNamesAreTrimmedAndEmptyNamesLeftOut()
    {
        // "y, x, g" (a space after each comma) names y, x and g; columns without a name (R's row names, a trailing comma) cannot be used.
        foreach (var t in CsvRoutes.LoadAll("\"\",y, x, g,,\n1,1,0.5,a,,\n2,0,0.25,b,,\n"))
        {
            Assert.Equal(["y", "x", "g"], t.Columns.Select(c => c.Name));
            Assert.Equal([0.5, 0.25], Assert.IsType<NumericColumn>(t["x"]).Values);
        }
    }

    [Fact]
    public void DuplicateNamesAreNamedWithTheirPlaces()
    {
        Assert.Equal("SOURCE has two columns named 'x' (columns 2 and 4 of the header): each column needs its own name",
            CsvRoutes.ErrorOfAll("y,x,g,x\n1,2,3,4\n"));
    }

    [Fact]
    public void AHeaderOfNumbersIsTakenForAMissingHeader()
    {
        Assert.Equal("SOURCE line 1 holds numbers, not column names: the file needs a header row naming its columns",
            CsvRoutes.ErrorOfAll("1,0.5,3\n0,0.25,4\n"));
    }

    [Fact]
    public void AHeaderOneNameShortSaysSo()
    {
        // R's write.table writes row names under no header name: every data line has one field more than the header.
        Assert.Equal(
            "SOURCE line 2 has 4 fields, but the header has 3 (a header one name short is how R's write.table writes row names: " +
            "add a name for the first column, or write the file with row.names = FALSE)",
            CsvRoutes.ErrorOfAll("y,x,g\n1,1,2,a\n2,0,3,b\n"));
    }

    [Fact]
    public void TheCommandLineSaysWhatTheFileSeemsToBe()
    {
        // Through DataLoader, as glmm fit reads --data.
        CsvRoutes.WithFile(Bytes(File.ReadAllText(Fixtures.Path("cbpp.csv")).Replace(",", ";")), path =>
        {
            var e = Assert.Throws<GlmmException>(() => Glmm.Frame(DataLoader.Load(path),
                new ModelSpec("cbind(incidence, size - incidence) ~ period + (1 | herd)", FamilyKind.Binomial)));
            Assert.StartsWith($"data file '{path}' seems to be separated by ';'", e.Message);
        });
    }
}

using System.Globalization;
using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Data;

/// <summary>
/// A column of numbers with a few cells that are not numbers is an error naming the column, the first such row and
/// its value when a model uses it, by every route of the CSV loader; a column of text stays a factor.
/// </summary>
public class NonNumericCellsTests
{
    /// <summary>y (0/1), x1 (numbers, <paramref name="bad"/> at data row <paramref name="badRow"/>, from 1) and g (30 groups), 300 rows.</summary>
    private static string Simulated(int badRow, string bad, int rows = 300)
    {
        var sb = new StringBuilder("y,x1,g\n");
        for (int i = 1; i <= rows; i++)
        {
            string x = i == badRow ? bad : (Math.Sin(i) * 3).ToString("R", CultureInfo.InvariantCulture);
            sb.Append(i % 3 == 0 ? 1 : 0).Append(',').Append(x).Append(',').Append(i % 30).Append('\n');
        }
        return sb.ToString();
    }

    private static readonly ModelSpec Logistic = new("y ~ x1 + (1 | g)", FamilyKind.Binomial);

    private static string FrameError(DataTable data, ModelSpec spec) => Assert.Throws<GlmmException>(() => Glmm.Frame(data, spec)).Message;

    [Fact]
    public void OneWordInANumericColumnIsAnErrorNamingItsRowAndValue()
    {
        // Row 250 lies in a later part of the file when it is cut; row 1 makes x1 start as text.
        foreach (int row in new[] { 250, 1, 300 })
        {
            var tables = CsvRoutes.LoadAll(Simulated(row, "abc"));
            Assert.Equal(5, tables.Count);
            foreach (var t in tables)
            {
                Assert.Equal(
                    $"column 'x1' holds numbers but for 1 of its 300 values: row {row} is 'abc', which is not a number; correct it " +
                    "(NA or an empty field is a missing value), or declare the column a factor (--factor x1) if it is categorical",
                    FrameError(t, Logistic));
                // The table itself is what R's read.csv gives: the column as text.
                Assert.IsType<StringColumn>(t["x1"]);
            }
        }
    }

    [Fact]
    public void ADecimalCommaInSleepstudyIsAnErrorNotATenLevelFactor()
    {
        var lines = File.ReadAllLines(Fixtures.Path("sleepstudy.csv"));
        var fields = lines[4].Split(',');
        Assert.Equal("3", fields[1]);
        fields[1] = "\"2,5\"";
        lines[4] = string.Join(',', fields);
        var text = string.Join('\n', lines) + "\n";
        foreach (var t in CsvRoutes.LoadAll(text))
        {
            foreach (var formula in new[] { "Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)" })
            {
                Assert.Equal(
                    "column 'Days' holds numbers but for 1 of its 180 values: row 4 is '2,5', which glmm does not read as a number " +
                    "(it reads '.' as the decimal point, with no thousands separators or percent signs); correct it " +
                    "(NA or an empty field is a missing value), or declare the column a factor (--factor Days) if it is categorical",
                    FrameError(t, new ModelSpec(formula, FamilyKind.Gaussian)));
            }
        }
    }

    [Fact]
    public void AColumnDeclaredAFactorIsNeverRejected()
    {
        var sb = new StringBuilder("y,x1,g\n");
        for (int i = 1; i <= 300; i++) sb.Append(i % 3 == 0 ? 1 : 0).Append(',').Append(i == 250 ? "abc" : (i % 4).ToString(CultureInfo.InvariantCulture)).Append(',').Append(i % 30).Append('\n');
        foreach (var t in CsvRoutes.LoadAll(sb.ToString(), new CsvOptions { Factors = ["x1"] }))
        {
            Assert.True(t.IsFactor("x1"));
            Assert.Equal(["(Intercept)", "x11", "x12", "x13", "x1abc"], Glmm.Frame(t, Logistic).FixedNames);
        }
    }

    [Fact]
    public void TextAsAGroupingFactorIsNotChecked()
    {
        // The grouping column is a factor whatever it holds: a word among numbers there is one more group.
        var sb = new StringBuilder("x,y,g\n");
        for (int i = 1; i <= 300; i++) sb.Append(i % 7).Append(',').Append(i % 3 == 0 ? 1 : 0).Append(',').Append(i == 40 ? "abc" : (i % 30).ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var t in CsvRoutes.LoadAll(sb.ToString()))
        {
            var frame = Glmm.Frame(t, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Binomial));
            Assert.Equal(31, frame.RandomEffects[0].Levels.Length);
        }
    }

    [Fact]
    public void AColumnOfMostlyTextStaysAFactor()
    {
        var sb = new StringBuilder("y,dose,g\n");
        string[] doses = ["low", "high", "none", "10"];
        for (int i = 0; i < 240; i++) sb.Append(i % 2).Append(',').Append(doses[i % 4]).Append(',').Append(i % 12).Append('\n');
        foreach (var t in CsvRoutes.LoadAll(sb.ToString()))
        {
            Assert.True(t.IsFactor("dose"));
            Assert.Equal(["(Intercept)", "dosehigh", "doselow", "dosenone"], Glmm.Frame(t, new ModelSpec("y ~ dose + (1 | g)", FamilyKind.Binomial)).FixedNames);
        }
    }

    [Fact]
    public void MissingValueSpellingsStayMissing()
    {
        // Empty, NA, and blank or NA padded with spaces are missing, as R reads a numeric column; the column stays numeric.
        var sb = new StringBuilder("y,x1,g\n");
        string[] missing = ["", "NA", "  ", " NA", "NA "];
        for (int i = 0; i < 200; i++)
            sb.Append(i % 2).Append(',').Append(i % 40 < 5 ? missing[i % 40] : (i * 0.5).ToString(CultureInfo.InvariantCulture)).Append(',').Append(i % 10).Append('\n');
        foreach (var t in CsvRoutes.LoadAll(sb.ToString()))
        {
            var x = Assert.IsType<NumericColumn>(t["x1"]);
            for (int i = 0; i < 200; i++) Assert.Equal(i % 40 < 5, x.IsMissing(i));
            Assert.Equal(175, Glmm.Frame(t, Logistic).RowCount);
        }
    }

    [Theory]
    [InlineData("1,234", "which glmm does not read as a number (it reads '.' as the decimal point, with no thousands separators or percent signs)")]
    [InlineData("45%", "which glmm does not read as a number (it reads '.' as the decimal point, with no thousands separators or percent signs)")]
    [InlineData("1e400", "beyond the range of a double (about 1.8e308)")]
    [InlineData(".", "which is not a number")]
    public void NumbersGlmmCannotReadAreNamedWithTheReason(string bad, string reason)
    {
        var text = Simulated(120, bad.Contains(',') ? $"\"{bad}\"" : bad);
        foreach (var t in CsvRoutes.LoadAll(text))
            Assert.Contains($"row 120 is '{bad}', {reason}; correct it", FrameError(t, Logistic));
    }

    [Fact]
    public void AColumnWhollyInThousandsSeparatorsIsAnError()
    {
        // Every value has a thousands separator: none reads as a number, yet the column is plainly numeric.
        var sb = new StringBuilder("y,income,g\n");
        for (int i = 0; i < 100; i++) sb.Append(i % 2).Append(",\"").Append(10 + i % 37).Append(',').Append(100 + i).Append("\",").Append(i % 10).Append('\n');
        var t = CsvLoader.Load(new StringReader(sb.ToString()), new CsvOptions());
        var e = FrameError(t, new ModelSpec("y ~ income + (1 | g)", FamilyKind.Binomial));
        Assert.StartsWith("column 'income' is written as numbers, none of which glmm reads as one: row 1 is '10,100', which glmm does not read", e);
    }

    [Fact]
    public void LongIntegerIdsKeepTheirGroupsApart()
    {
        // Ids past 2^53 = 9007199254740992: read as doubles, 9007199254740993 and ...995 would each merge with a neighbour.
        var sb = new StringBuilder("y,x,id\n");
        for (int i = 0; i < 400; i++)
            sb.Append(i % 3 == 0 ? 1 : 0).Append(',').Append(Math.Sin(i).ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(9007199254740990L + i % 20).Append('\n');
        foreach (var t in CsvRoutes.LoadAll(sb.ToString()))
        {
            var levels = Glmm.Frame(t, new ModelSpec("y ~ x + (1 | id)", FamilyKind.Binomial)).RandomEffects[0].Levels;
            Assert.Equal(Enumerable.Range(0, 20).Select(k => (9007199254740990L + k).ToString(CultureInfo.InvariantCulture)), levels);
            Assert.Equal("column 'id' holds numbers but for 340 of its 400 values: row 4 is '9007199254740993', " +
                "an integer beyond 2^53, which a double cannot hold exactly; correct it (NA or an empty field is a missing value), " +
                "or declare the column a factor (--factor id) if it is categorical",
                FrameError(t, new ModelSpec("y ~ id + (1 | x)", FamilyKind.Binomial)));
        }
    }

    [Fact]
    public void TheResponseAndTheWeightsAreCheckedToo()
    {
        foreach (var t in CsvRoutes.LoadAll(Simulated(7, "n/a")))
        {
            Assert.Contains("column 'x1' holds numbers but for 1 of its 300 values: row 7 is 'n/a'",
                FrameError(t, new ModelSpec("x1 ~ y + (1 | g)", FamilyKind.Gaussian)));
            Assert.Contains("row 7 is 'n/a'", FrameError(t, new ModelSpec("y ~ 1 + (1 | g)", FamilyKind.Binomial, Weights: "x1")));
        }
    }
}

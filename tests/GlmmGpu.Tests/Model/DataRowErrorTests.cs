using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Model;

/// <summary>
/// Errors about the data name the row as the file has it (data rows from 1 after the header, blank lines not counted),
/// whatever rows the model frame drops and however it sorts them by cluster.
/// </summary>
public class DataRowErrorTests
{
    private static string FrameError(DataTable data, string formula, FamilyKind family, string? weights = null) =>
        Assert.Throws<GlmmException>(() => Glmm.Frame(data, new ModelSpec(formula, family, Weights: weights))).Message;

    [Fact]
    public void ABadValueIsNamedAtItsRowOfTheFile()
    {
        // Groups out of order, so that the frame sorts rows; row 2 is incomplete and dropped; a blank line is skipped.
        var text = "y,x,g,w\n3,0.5,b,1\n1,,a,1\n\n2,0.1,b,1\n-1,0.3,a,2\n4,0.2,c,1\n0,0.7,c,-2\n";
        var data = CsvLoader.Load(new StringReader(text));
        Assert.Equal("response 'y' row 4 is -1: poisson counts must be non-negative integers",
            FrameError(data, "y ~ x + (1 | g)", FamilyKind.Poisson));
        Assert.Equal("weights 'w' row 6 is -2: weights must be non-negative",
            FrameError(data, "y ~ x + (1 | g)", FamilyKind.Gaussian, "w"));
    }

    [Fact]
    public void ABadValueIsShownInFull()
    {
        // Ten significant digits would show 3.0000000001 as 3, which is a count.
        var data = CsvLoader.Load(new StringReader("y,x,g\n3,0.5,b\n3.0000000001,0.4,a\n2,0.1,b\n1,0.3,a\n"));
        Assert.Equal("response 'y' row 2 is 3.0000000001: poisson counts must be non-negative integers",
            FrameError(data, "y ~ x + (1 | g)", FamilyKind.Poisson));
    }

    [Fact]
    public void AnOverflowingValueIsNamedAsWritten()
    {
        var data = CsvLoader.Load(new StringReader("y,x,g\n3,0.5,b\n1,0.4,a\n2,1e400,b\n1,0.3,a\n"));
        Assert.StartsWith("column 'x' holds numbers but for 1 of its 4 values: row 3 is '1e400', beyond the range of a double",
            FrameError(data, "y ~ x + (1 | g)", FamilyKind.Poisson));
    }

    [Fact]
    public void NewDataWithAWordAmongNumbersNameItsRow()
    {
        var fitted = Glmm.Frame(CsvLoader.Load(new StringReader("y,x,g\n1.5,1,a\n2.5,2,b\n0.5,3,a\n3.5,4,b\n")),
            new ModelSpec("y ~ x + (1 | g)", FamilyKind.Gaussian));
        var newData = CsvLoader.Load(new StringReader("x,g\n1,a\nabc,b\n2,a\n3,b\n"));
        var e = Assert.Throws<GlmmException>(() => ModelFrameBuilder.BuildForPrediction(newData, FormulaParser.Parse("y ~ x + (1 | g)"),
            FamilyKind.Gaussian, LinkKind.Identity, fitted.FactorLevels!));
        Assert.Equal("column 'x' holds text, but the model uses it as a number in term 'x' (row 2 is 'abc')", e.Message);
    }

    [Fact]
    public void NoRowsLeftNamesTheColumnThatEmptiedTheFrame()
    {
        var data = CsvLoader.Load(new StringReader("y,x,z,g\n1,,1,a\n0,NA,2,a\n1,,3,b\n0,,4,b\n"));
        Assert.Equal("no rows left: column 'x' is missing in all 4 rows",
            FrameError(data, "y ~ x + z + (1 | g)", FamilyKind.Binomial));
        // No one column empties it: the counts say which columns to look at.
        var scattered = CsvLoader.Load(new StringReader("y,x,z,g\n1,,1,a\n0,2,,a\n1,,3,b\n0,4,,b\n"));
        Assert.Equal("no rows left: each of the 4 rows has a missing value in a column the model uses (missing: 'x' in 2 rows, 'z' in 2 rows)",
            FrameError(scattered, "y ~ x + z + (1 | g)", FamilyKind.Binomial));
    }

    [Fact]
    public void DataWithoutRowsAreNamedSo()
    {
        var empty = DataTable.FromColumns(("y", Array.Empty<double>()), ("g", Array.Empty<string?>()));
        Assert.Equal("the data have no rows", FrameError(empty, "y ~ 1 + (1 | g)", FamilyKind.Gaussian));
    }
}

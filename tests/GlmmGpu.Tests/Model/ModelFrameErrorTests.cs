using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;
using static GlmmGpu.Tests.Model.Formulas;

namespace GlmmGpu.Tests.Model;

/// <summary>Bad input stops the build with a message that names the column, row or term at fault.</summary>
public class ModelFrameErrorTests
{
    private static readonly string?[] Groups = { "a", "a", "b", "b", "c", "c" };

    private static DataTable Data(double[] y, double[]? x = null) => DataTable.FromColumns(
        ("y", y), ("x", x ?? new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }), ("g", Groups));

    private static ModelFrame Build(DataTable data, ModelFormula formula, FamilyKind family, string? weights = null) =>
        ModelFrameBuilder.Build(data, formula, family, FamilyNames.DefaultLink(family), weights);

    private static GlmmException Fails(DataTable data, ModelFormula formula, FamilyKind family, string? weights = null) =>
        Assert.Throws<GlmmException>(() => Build(data, formula, family, weights));

    private static readonly ModelFormula YxG = F("y", Terms("x"), R("g"));

    [Fact]
    public void ExplicitNaNInAUsedColumnNamesColumnAndRow()
    {
        var data = CsvLoader.Load(new StringReader("y,x,g\n1,0.5,a\n0,NaN,a\n1,0.1,b\n0,0.2,b\n"));
        var e = Fails(data, YxG, FamilyKind.Binomial);
        Assert.Contains("column 'x' row 2 is NaN", e.Message);
    }

    [Fact]
    public void AValueWhoseSquareOverflowsNamesTermAndRow()
    {
        var e = Fails(Data(new[] { 1.0, 2, 3, 4, 5, 6 }, new[] { 1.0, 2, 3, -1e300, 5, 6 }), YxG, FamilyKind.Gaussian);
        Assert.Contains("term 'x' is -1E+300 at row 4", e.Message);
        Assert.Contains("rescale 'x'", e.Message);
        var atTheLimit = Build(Data(new[] { 1.0, 2, 3, 4, 5, 6 }, new[] { 1.0, 2, 3, 1e150, 5, 6 }), YxG, FamilyKind.Gaussian);
        Assert.Equal(6, atTheLimit.Response.Length);
    }

    [Fact]
    public void InfinityInAUsedColumnNamesColumnAndRow()
    {
        var data = CsvLoader.Load(new StringReader("y,x,g\n1,0.5,a\n0,0.3,a\n1,-Inf,b\n0,0.2,b\n"));
        Assert.Contains("column 'x' row 3 is -Inf", Fails(data, YxG, FamilyKind.Binomial).Message);
        var fromArrays = Data(new[] { 1.0, 2, 3, 4, 5, 6 }, new[] { 1.0, 2, 3, 4, double.PositiveInfinity, 6 });
        Assert.Contains("column 'x' row 5 is Inf", Fails(fromArrays, YxG, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void NonFiniteValueInAnUnusedColumnIsFine()
    {
        var data = CsvLoader.Load(new StringReader("y,x,g,other\n1,0.5,a,NaN\n0,0.3,a,1\n1,0.2,b,2\n0,0.2,b,3\n"));
        Assert.Equal(4, Build(data, YxG, FamilyKind.Binomial).RowCount);
    }

    [Fact]
    public void NegativeCountsAreRejected()
    {
        var e = Fails(Data(new[] { 1.0, 0, 3, -1, 2, 5 }), YxG, FamilyKind.Poisson);
        Assert.Contains("response 'y' row 4 is -1", e.Message);
        Assert.Contains("non-negative integers", e.Message);
        Assert.Contains("row 4", Fails(Data(new[] { 1.0, 0, 3, -1, 2, 5 }), YxG, FamilyKind.NegativeBinomial).Message);
    }

    [Fact]
    public void NonIntegerPoissonCountsAreRejected()
    {
        var e = Fails(Data(new[] { 1.0, 2.5, 3, 1, 2, 5 }), YxG, FamilyKind.Poisson);
        Assert.Contains("response 'y' row 2 is 2.5", e.Message);
    }

    [Fact]
    public void TheFirstBadRowIsNamedEvenAfterSorting()
    {
        // Rows are sorted by g ("b" rows move after "a" rows); the message still names the first data row.
        var data = DataTable.FromColumns(("y", new[] { -2.0, 1, -1, 1 }), ("x", new[] { 1.0, 2, 3, 4 }), ("g", new string?[] { "b", "a", "a", "b" }));
        Assert.Contains("row 1 is -2", Fails(data, YxG, FamilyKind.Poisson).Message);
    }

    [Fact]
    public void BinomialWithoutWeightsMustBeZeroOrOne()
    {
        var e = Fails(Data(new[] { 1.0, 0, 2, 1, 0, 1 }), YxG, FamilyKind.Binomial);
        Assert.Contains("response 'y' row 3 is 2", e.Message);
        Assert.Contains("0 or 1", e.Message);
    }

    [Fact]
    public void BinomialProportionMustLieInZeroOne()
    {
        var data = DataTable.FromColumns(("y", new[] { 0.5, 0, 1.5, 1, 0, 1 }), ("x", new[] { 1.0, 2, 3, 4, 5, 6 }),
            ("g", Groups), ("w", new[] { 2.0, 2, 2, 2, 2, 2 }));
        var e = Fails(data, YxG, FamilyKind.Binomial, "w");
        Assert.Contains("response 'y' row 3 is 1.5", e.Message);
    }

    [Fact]
    public void BinomialProportionWithWeightsGivesSuccessesAndTrials()
    {
        var data = DataTable.FromColumns(("y", new[] { 0.5, 0, 0.25, 1, 0, 1 }), ("x", new[] { 1.0, 2, 3, 4, 5, 6 }),
            ("g", Groups), ("w", new[] { 2.0, 2, 4, 1, 3, 5 }));
        var frame = Build(data, YxG, FamilyKind.Binomial, "w");
        Assert.Equal(new[] { 1.0, 0, 1, 1, 0, 5 }, frame.Response);
        Assert.Equal(new[] { 2.0, 2, 4, 1, 3, 5 }, frame.Weights);
    }

    [Fact]
    public void NegativeWeightsAreRejected()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4, 5, 6 }), ("x", new[] { 1.0, 2, 3, 4, 5, 6 }),
            ("g", Groups), ("w", new[] { 1.0, 1, 1, 1, -2, 1 }));
        var e = Fails(data, YxG, FamilyKind.Gaussian, "w");
        Assert.Contains("weights 'w' row 5 is -2", e.Message);
    }

    [Fact]
    public void GammaAndInverseGaussianNeedPositiveResponses()
    {
        var e = Fails(Data(new[] { 1.0, 0.5, 0, 2, 3, 1 }), YxG, FamilyKind.Gamma);
        Assert.Contains("response 'y' row 3 is 0", e.Message);
        Assert.Contains("strictly positive", e.Message);
        var e2 = Fails(Data(new[] { 1.0, 0.5, 1, -2, 3, 1 }), YxG, FamilyKind.InverseGaussian);
        Assert.Contains("response 'y' row 4 is -2", e2.Message);
    }

    [Fact]
    public void GaussianTakesAnyFiniteResponse()
    {
        var frame = Build(Data(new[] { -1.0, 0, 2.5, -3, 4, 1e6 }), YxG, FamilyKind.Gaussian);
        Assert.Equal(new[] { 1.0, 1, 1, 1, 1, 1 }, frame.Weights);
    }

    private static readonly ModelFormula Cbind = F(
        new BinomialResponse(Col("s"), new BinaryExpression('-', Col("n"), Col("s"))), true, Terms("x"), R("g"));

    [Fact]
    public void CbindWithNegativeFailuresNamesTheExpressionAndRow()
    {
        var data = DataTable.FromColumns(("s", new[] { 1.0, 2, 3, 5, 0, 1 }), ("n", new[] { 4.0, 4, 4, 4, 4, 4 }),
            ("x", new[] { 1.0, 2, 3, 4, 5, 6 }), ("g", Groups));
        var e = Fails(data, Cbind, FamilyKind.Binomial);
        Assert.Contains("cbind failures 'n - s' row 4 is -1", e.Message);
    }

    [Fact]
    public void CbindWithNonIntegerSuccessesIsRejected()
    {
        var data = DataTable.FromColumns(("s", new[] { 1.0, 2, 0.5, 1, 0, 1 }), ("n", new[] { 4.0, 4, 4, 4, 4, 4 }),
            ("x", new[] { 1.0, 2, 3, 4, 5, 6 }), ("g", Groups));
        Assert.Contains("cbind successes 's' row 3 is 0.5", Fails(data, Cbind, FamilyKind.Binomial).Message);
    }

    [Fact]
    public void CbindNeedsTheBinomialFamily()
    {
        var data = DataTable.FromColumns(("s", new[] { 1.0, 2, 0, 1, 0, 1 }), ("n", new[] { 4.0, 4, 4, 4, 4, 4 }),
            ("x", new[] { 1.0, 2, 3, 4, 5, 6 }), ("g", Groups));
        Assert.Contains("poisson", Fails(data, Cbind, FamilyKind.Poisson).Message);
    }

    [Fact]
    public void UnknownColumnNamesTermAndListsColumns()
    {
        var formula = F("y", new[] { T("foo", "x") }, R("g"));
        var e = Fails(Data(new[] { 1.0, 2, 3, 4, 5, 6 }), formula, FamilyKind.Gaussian);
        Assert.Contains("unknown column 'foo' in term 'foo:x'", e.Message);
        Assert.Contains("y, x, g", e.Message);
    }

    [Fact]
    public void UnknownColumnsElsewhereAreNamed()
    {
        var data = Data(new[] { 1.0, 2, 3, 4, 5, 6 });
        Assert.Contains("unknown column 'yy'", Fails(data, F("yy", Terms("x"), R("g")), FamilyKind.Gaussian).Message);
        Assert.Contains("unknown column 'h' in term '(1 | h)'", Fails(data, F("y", Terms("x"), R("h")), FamilyKind.Gaussian).Message);
        Assert.Contains("unknown column 'z' in term 'z'", Fails(data, F("y", Terms("x"), R("g", "z")), FamilyKind.Gaussian).Message);
        Assert.Contains("unknown weights column 'w'", Fails(data, YxG, FamilyKind.Gaussian, "w").Message);
        var offset = YxG with { Offsets = new Expression[] { new CallExpression("log", Col("n")) } };
        Assert.Contains("unknown column 'n' in term 'offset(log(n))'", Fails(data, offset, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void AliasedColumnIsDroppedAndNamed()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4, 5, 6 }), ("x", new[] { 1.0, 2, 3, 5, 8, 13 }),
            ("x2", new[] { 2.0, 4, 6, 10, 16, 26 }), ("z", new[] { 1.0, 0, 1, 1, 0, 0 }), ("g", Groups));
        var frame = Build(data, F("y", Terms("x", "x2", "z"), R("g")), FamilyKind.Gaussian);
        Assert.Equal(new[] { "(Intercept)", "x", "z" }, frame.FixedNames);
        Assert.Equal(new[] { "x2" }, frame.DroppedColumns);
        Assert.Equal(new[] { 1.0, 0, 1, 1, 0, 0 }, Enumerable.Range(0, 6).Select(i => frame.XAt(i, 2)));
    }

    [Theory]
    // A column off a combination of the others by a relative 1e-5 is kept, as R's QR (tolerance 1e-7) keeps it; by
    // 1e-9 it is dropped; by 1e-2 the one-pass Gram screen decides alone. Large offsets make the columns far from
    // orthogonal, where a screen that rounded its squares carelessly would drop a column it should keep.
    [InlineData(1e-2, false)]
    [InlineData(1e-5, false)]
    [InlineData(1e-9, true)]
    public void NearlyAliasedColumnIsDroppedOnlyBelowTheTolerance(double departure, bool dropped)
    {
        int n = 20_000;
        var rng = new Random(3);
        var x = new double[n];
        var x2 = new double[n];
        var y = new double[n];
        var g = new string?[n];
        var noise = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = 1000 + rng.NextDouble();
            noise[i] = rng.NextDouble() - 0.5;
            y[i] = rng.NextDouble();
            g[i] = (i % 50).ToString();
        }
        // Scale the departure to x2's own length: x2 = 3x - 7 + d, |d| = departure |x2|.
        double norm2 = 0, noiseNorm = 0;
        for (int i = 0; i < n; i++)
        {
            x2[i] = 3 * x[i] - 7;
            norm2 += x2[i] * x2[i];
            noiseNorm += noise[i] * noise[i];
        }
        double scale = departure * Math.Sqrt(norm2 / noiseNorm);
        for (int i = 0; i < n; i++) x2[i] += scale * noise[i];
        var data = DataTable.FromColumns(("y", y), ("x", x), ("x2", x2), ("g", g));
        var frame = Build(data, F("y", Terms("x", "x2"), R("g")), FamilyKind.Gaussian);
        Assert.Equal(dropped ? new[] { "x2" } : Array.Empty<string>(), frame.DroppedColumns);
        Assert.Equal(dropped ? new[] { "(Intercept)", "x" } : new[] { "(Intercept)", "x", "x2" }, frame.FixedNames);
    }

    [Fact]
    public void ZeroColumnAndFactorAliasedWithTheInterceptAreDropped()
    {
        // h follows f level for level, so hq repeats fb; a column of zeros spans nothing.
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4, 5, 6 }), ("zero", new double[6]),
            ("f", new string?[] { "a", "b", "a", "b", "a", "b" }), ("h", new string?[] { "p", "q", "p", "q", "p", "q" }), ("g", Groups));
        var frame = Build(data, F("y", Terms("zero", "f", "h"), R("g")), FamilyKind.Gaussian);
        Assert.Equal(new[] { "(Intercept)", "fb" }, frame.FixedNames);
        Assert.Equal(new[] { "zero", "hq" }, frame.DroppedColumns);
    }

    [Fact]
    public void GroupingFactorWithOneLevelIsRejected()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3 }), ("x", new[] { 1.0, 2, 3 }), ("g", new string?[] { "a", "a", "a" }));
        Assert.Contains("grouping factor 'g' has only 1 level", Fails(data, YxG, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void GroupingFactorLeftWithOneLevelAfterDroppingRowsIsRejected()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4 }), ("x", new[] { 1.0, 2, double.NaN, double.NaN }),
            ("g", new string?[] { "a", "a", "b", "b" }));
        Assert.Contains("grouping factor 'g' has only 1 level", Fails(data, YxG, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void RowsWithMissingValuesAreDroppedAndCounted()
    {
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7 }),
            ("x", new[] { 1.0, double.NaN, 3, 4, 5, 6, 7 }),
            ("g", new string?[] { "a", "a", "b", null, "b", "c", "c" }),
            ("unused", new[] { double.NaN, 1, 1, 1, 1, 1, double.NaN }));
        var frame = Build(data, YxG, FamilyKind.Gaussian);
        Assert.Equal(2, frame.DroppedRows);
        Assert.Equal(new[] { 0, 2, 4, 5, 6 }, frame.SourceRow);
        Assert.Equal(new[] { 1.0, 3, 5, 6, 7 }, frame.Response);
    }

    [Fact]
    public void MissingWeightsDropTheRow()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4, 5, 6 }), ("x", new[] { 1.0, 2, 3, 4, 5, 6 }),
            ("g", Groups), ("w", new[] { 1.0, double.NaN, 1, 1, 1, 1 }));
        var frame = Build(data, YxG, FamilyKind.Gaussian, "w");
        Assert.Equal(1, frame.DroppedRows);
        Assert.DoesNotContain(1, frame.SourceRow);
    }

    [Fact]
    public void AllRowsMissingIsAnError()
    {
        var data = Data(new[] { 1.0, 2, 3, 4, 5, 6 }, new double[] { double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN });
        Assert.Contains("no rows left", Fails(data, YxG, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void FactorInArithmeticNamesTheTerm()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4, 5, 6 }), ("f", new string?[] { "1", "2", "3", "4", "5", "6" }), ("g", Groups));
        var formula = F("y", new[] { T(new CallExpression("log", Col("f"))) }, R("g"));
        var e = Fails(data, formula, FamilyKind.Gaussian);
        Assert.Contains("'f' is a factor", e.Message);
        Assert.Contains("term 'log(f)'", e.Message);
        // A numeric column declared a factor is a factor too.
        var declared = Data(new[] { 1.0, 2, 3, 4, 5, 6 }).WithFactors("x");
        var squared = F("y", new[] { T(new CallExpression("I", new BinaryExpression('^', Col("x"), new NumberExpression(2)))) }, R("g"));
        Assert.Contains("term 'I(x^2)'", Fails(declared, squared, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void NonFiniteExpressionNamesRowAndTerm()
    {
        var formula = F("y", new[] { T(new CallExpression("log", Col("x"))) }, R("g"));
        var e = Fails(Data(new[] { 1.0, 2, 3, 4, 5, 6 }, new[] { 1.0, -2, 3, 4, 5, 6 }), formula, FamilyKind.Gaussian);
        Assert.Contains("term 'log(x)' is NaN at row 2", e.Message);
    }

    [Fact]
    public void UnsupportedFunctionIsNamed()
    {
        var formula = F("y", new[] { T(new CallExpression("scale", Col("x"))) }, R("g"));
        Assert.Contains("'scale'", Fails(Data(new[] { 1.0, 2, 3, 4, 5, 6 }), formula, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void ModelWithoutRandomTermsIsRejected()
    {
        var formula = F("y", Terms("x"));
        Assert.Contains("no random-effects terms", Fails(Data(new[] { 1.0, 2, 3, 4, 5, 6 }), formula, FamilyKind.Gaussian).Message);
    }

    [Fact]
    public void FactorResponseIsBinomialOnly()
    {
        var data = DataTable.FromColumns(("r", new string?[] { "no", "yes", "no", "yes", "yes", "no" }), ("x", new[] { 1.0, 2, 3, 4, 5, 6 }), ("g", Groups));
        var formula = F("r", Terms("x"), R("g"));
        var frame = Build(data, formula, FamilyKind.Binomial);
        Assert.Equal(new[] { 0.0, 1, 0, 1, 1, 0 }, frame.Response);
        Assert.Contains("response 'r' is a factor", Fails(data, formula, FamilyKind.Poisson).Message);
        var three = DataTable.FromColumns(("r", new string?[] { "a", "b", "c", "a", "b", "c" }), ("x", new[] { 1.0, 2, 3, 4, 5, 6 }), ("g", Groups));
        Assert.Contains("3 levels", Fails(three, formula, FamilyKind.Binomial).Message);
    }

    [Fact]
    public void SingleLevelFactorInAFixedTermIsRejected()
    {
        var data = DataTable.FromColumns(("y", new[] { 1.0, 2, 3, 4, 5, 6 }), ("f", new string?[] { "a", "a", "a", "a", "a", "a" }), ("g", Groups));
        Assert.Contains("factor 'f' in term 'f' has only 1 level", Fails(data, F("y", Terms("f"), R("g")), FamilyKind.Gaussian).Message);
    }
}

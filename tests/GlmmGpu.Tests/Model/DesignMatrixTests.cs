using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;
using static GlmmGpu.Tests.Model.Formulas;

namespace GlmmGpu.Tests.Model;

/// <summary>Coding of terms into X and Z, following R's model.matrix names and column order.</summary>
public class DesignMatrixTests
{
    private static readonly string?[] Groups = { "g1", "g1", "g2", "g2", "g3", "g3" };

    private static DataTable Data() => DataTable.FromColumns(
        ("y", new[] { 1.0, 2, 3, 4, 5, 6 }),
        ("x", new[] { 1.0, 2, 3, 5, 8, 13 }),
        ("z", new[] { 0.5, -1, 2, 0, 1, 3 }),
        ("a", new string?[] { "p", "q", "r", "p", "q", "r" }),
        ("b", new string?[] { "u", "u", "v", "v", "u", "v" }),
        ("trt", new string?[] { "placebo", "drug", "drug", "placebo", "drug", "placebo" }),
        ("g", Groups));

    private static ModelFrame Build(ModelFormula formula, DataTable? data = null) =>
        ModelFrameBuilder.Build(data ?? Data(), formula, FamilyKind.Gaussian, LinkKind.Identity);

    private static double[] Column(ModelFrame frame, string name)
    {
        int c = Array.IndexOf(frame.FixedNames, name);
        Assert.True(c >= 0, $"no column {name} in {string.Join(", ", frame.FixedNames)}");
        return Enumerable.Range(0, frame.RowCount).Select(i => frame.XAt(i, c)).ToArray();
    }

    // Values of a data column in frame order.
    private static double[] Source(ModelFrame frame, double[] values) => frame.SourceRow.Select(r => values[r]).ToArray();

    [Fact]
    public void TreatmentContrastsNameColumnPlusLevel()
    {
        var frame = Build(F("y", Terms("a", "x"), R("g")));
        Assert.Equal(new[] { "(Intercept)", "aq", "ar", "x" }, frame.FixedNames);
        Assert.Equal(Source(frame, new[] { 0.0, 1, 0, 0, 1, 0 }), Column(frame, "aq"));
    }

    [Fact]
    public void WithoutInterceptTheFirstFactorTakesAllLevels()
    {
        var frame = Build(F(new SingleResponse(Col("y")), false, Terms("a", "b"), R("g")));
        Assert.Equal(new[] { "ap", "aq", "ar", "bv" }, frame.FixedNames);
        var numericFirst = Build(F(new SingleResponse(Col("y")), false, Terms("x", "a"), R("g")));
        Assert.Equal(new[] { "x", "ap", "aq", "ar" }, numericFirst.FixedNames);
    }

    [Fact]
    public void NumericInteractionIsTheProduct()
    {
        var frame = Build(F("y", new[] { T("x"), T("z"), T("x", "z") }, R("g")));
        Assert.Equal(new[] { "(Intercept)", "x", "z", "x:z" }, frame.FixedNames);
        var x = new[] { 1.0, 2, 3, 5, 8, 13 };
        var z = new[] { 0.5, -1, 2, 0, 1, 3 };
        Assert.Equal(Source(frame, x.Zip(z, (p, q) => p * q).ToArray()), Column(frame, "x:z"));
    }

    [Fact]
    public void FactorByNumericIsNamedInTheTermsOrder()
    {
        var frame = Build(F("y", new[] { T("x"), T("trt"), T("x", "trt") }, R("g")));
        Assert.Equal(new[] { "(Intercept)", "x", "trtplacebo", "x:trtplacebo" }, frame.FixedNames);
        var reversed = Build(F("y", new[] { T("x"), T("trt"), T("trt", "x") }, R("g")));
        Assert.Equal("trtplacebo:x", reversed.FixedNames[^1]);
        Assert.Equal(Column(frame, "x:trtplacebo"), Column(reversed, "trtplacebo:x"));
    }

    [Fact]
    public void FactorByFactorMultipliesContrastsFirstVaryingFastest()
    {
        // Every (a, b) combination occurs, so no column is aliased.
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }),
            ("a", new string?[] { "p", "q", "r", "p", "q", "r", "p", "q", "r", "p", "q", "r" }),
            ("b", new string?[] { "u", "u", "u", "v", "v", "v", "w", "w", "w", "u", "v", "w" }),
            ("g", new string?[] { "1", "1", "1", "1", "2", "2", "2", "2", "3", "3", "3", "3" }));
        var frame = Build(F("y", new[] { T("b"), T("a"), T("b", "a") }, R("g")), data);
        Assert.Equal(new[] { "(Intercept)", "bv", "bw", "aq", "ar", "bv:aq", "bw:aq", "bv:ar", "bw:ar" }, frame.FixedNames);
        Assert.Empty(frame.DroppedColumns);
        var bvAq = Column(frame, "bv:aq");
        for (int i = 0; i < frame.RowCount; i++) Assert.Equal(frame.SourceRow[i] is 4 or 10 ? 1.0 : 0.0, bvAq[i]);
    }

    [Fact]
    public void FactorIsFullyCodedWhenTheRestOfTheTermIsAbsent()
    {
        // R: y ~ x + x:a codes a by contrasts (x is in the model); y ~ a + a:x (a/x) gives one slope per level.
        var contrasts = Build(F("y", new[] { T("x"), T("x", "a") }, R("g")));
        Assert.Equal(new[] { "(Intercept)", "x", "x:aq", "x:ar" }, contrasts.FixedNames);
        var nested = Build(F("y", new[] { T("a"), T("a", "x") }, R("g")));
        Assert.Equal(new[] { "(Intercept)", "aq", "ar", "ap:x", "aq:x", "ar:x" }, nested.FixedNames);
        var x = Source(nested, new[] { 1.0, 2, 3, 5, 8, 13 });
        var isP = Source(nested, new[] { 1.0, 0, 0, 1, 0, 0 });
        Assert.Equal(x.Zip(isP, (v, p) => v * p), Column(nested, "ap:x"));
    }

    [Fact]
    public void ExpressionsAreNamedAsRDeparsesThem()
    {
        var square = new CallExpression("I", new BinaryExpression('^', Col("x"), new NumberExpression(2)));
        var log = new CallExpression("log", Col("x"));
        var frame = Build(F("y", new[] { T("x"), T(square), T(log) }, R("g")));
        Assert.Equal(new[] { "(Intercept)", "x", "I(x^2)", "log(x)" }, frame.FixedNames);
        var x = Source(frame, new[] { 1.0, 2, 3, 5, 8, 13 });
        Assert.Equal(x.Select(v => v * v), Column(frame, "I(x^2)"));
        Assert.Equal(x.Select(v => Math.Log(v)), Column(frame, "log(x)"));
    }

    [Fact]
    public void ArithmeticEvaluates()
    {
        // I((x + 1) / 2 - -z) and exp, sqrt.
        var e = new CallExpression("I", new BinaryExpression('-',
            new BinaryExpression('/', new ParenthesisExpression(new BinaryExpression('+', Col("x"), new NumberExpression(1))), new NumberExpression(2)),
            new NegateExpression(Col("z"))));
        var frame = Build(F("y", new[] { T(e), T(new CallExpression("sqrt", Col("x"))), T(new CallExpression("exp", Col("z"))) }, R("g")));
        var x = Source(frame, new[] { 1.0, 2, 3, 5, 8, 13 });
        var z = Source(frame, new[] { 0.5, -1, 2, 0, 1, 3 });
        Assert.Equal(x.Zip(z, (p, q) => (p + 1) / 2 - -q), Column(frame, e.Text));
        Assert.Equal(x.Select(v => Math.Sqrt(v)), Column(frame, "sqrt(x)"));
        Assert.Equal(z.Select(v => Math.Exp(v)), Column(frame, "exp(z)"));
    }

    [Fact]
    public void OffsetsAreSummed()
    {
        var formula = F("y", Terms("x"), R("g")) with
        {
            Offsets = new Expression[] { new CallExpression("log", Col("x")), Col("z") },
        };
        var frame = Build(formula);
        var x = Source(frame, new[] { 1.0, 2, 3, 5, 8, 13 });
        var z = Source(frame, new[] { 0.5, -1, 2, 0, 1, 3 });
        for (int i = 0; i < frame.RowCount; i++) Assert.Equal(Math.Log(x[i]) + z[i], frame.Offset[i], 14);
    }

    [Fact]
    public void RandomSlopesAndFactorsInZ()
    {
        var frame = Build(F("y", Terms("x"), R("g", "x"), new RandomTerm(false, new[] { T("b") }, new[] { "a" }, true)));
        var slope = frame.RandomEffects[0];
        Assert.Equal(new[] { "(Intercept)", "x" }, slope.TermNames);
        Assert.Equal(Source(frame, new[] { 1.0, 2, 3, 5, 8, 13 }), slope.Z.Skip(frame.RowCount).ToArray());
        var byA = frame.RandomEffects[1];
        Assert.Equal(new[] { "bu", "bv" }, byA.TermNames);
        Assert.Equal("a", byA.GroupingFactor);
        Assert.Equal(new[] { "p", "q", "r" }, byA.Levels);
        Assert.Null(byA.ClusterOffsets);
    }

    [Fact]
    public void InteractionGroupingFactorHasTheCombinationsThatOccur()
    {
        var frame = Build(F("y", Terms("x"), R("a:b")));
        var block = frame.RandomEffects[0];
        Assert.Equal("a:b", block.GroupingFactor);
        Assert.Equal(new[] { "p:u", "p:v", "q:u", "r:v" }, block.Levels);
        var a = new[] { "p", "q", "r", "p", "q", "r" };
        var b = new[] { "u", "u", "v", "v", "u", "v" };
        for (int i = 0; i < frame.RowCount; i++)
            Assert.Equal(a[frame.SourceRow[i]] + ":" + b[frame.SourceRow[i]], block.Levels[block.LevelOfRow[i]]);
    }

    [Fact]
    public void RowsAreSortedStablyByTheFirstGroupingFactor()
    {
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7 }),
            ("g", new string?[] { "b", "a", "c", "a", "b", "c", "a" }),
            ("h", new string?[] { "u", "v", "u", "v", "u", "v", "u" }));
        var frame = Build(F("y", Array.Empty<Term>(), R("g"), R("h")), data);
        Assert.Equal(new[] { 1, 3, 6, 0, 4, 2, 5 }, frame.SourceRow);
        Assert.Equal(new[] { 2.0, 4, 7, 1, 5, 3, 6 }, frame.Response);
        Assert.Equal(new[] { 0, 3, 5, 7 }, frame.RandomEffects[0].ClusterOffsets);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 2, 2 }, frame.RandomEffects[0].LevelOfRow);
        Assert.Equal(new[] { 1, 1, 0, 0, 0, 0, 1 }, frame.RandomEffects[1].LevelOfRow);
    }

    [Fact]
    public void LevelsSortNumericallyWhenAllAreNumbers()
    {
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, 5, 6 }),
            ("s", new string?[] { "10", "9", "2", "10", "9", "2" }),
            ("t", new string?[] { "b", "a", "B", "b", "a", "B" }),
            ("n", new[] { 100000.0, 0.5, 3, 100000, 0.5, 3 }),
            ("g", Groups)).WithFactors("n");
        var frame = Build(F("y", Terms("s", "t", "n"), R("g")), data);
        Assert.Equal(new[] { "(Intercept)", "s9", "s10", "ta", "tb", "n3", "n1e+05" }, frame.FixedNames.Concat(frame.DroppedColumns).Take(7));
    }

    [Fact]
    public void OnlyLevelsInTheKeptRowsCount()
    {
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, double.NaN, 6 }),
            ("a", new string?[] { "p", "q", "p", "q", "r", "q" }),
            ("g", Groups));
        var frame = Build(F("y", Terms("a"), R("g")), data);
        Assert.Equal(new[] { "(Intercept)", "aq" }, frame.FixedNames);
        Assert.Equal(1, frame.DroppedRows);
    }

    [Fact]
    public void NoFixedTermsGivesTheInterceptAlone()
    {
        var frame = Build(F("y", Array.Empty<Term>(), R("g")));
        Assert.Equal(new[] { "(Intercept)" }, frame.FixedNames);
        Assert.All(frame.X, v => Assert.Equal(1.0, v));
    }
}

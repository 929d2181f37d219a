using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Model;

/// <summary>The fit's factor levels, and frames of new data coded with them for prediction.</summary>
public class PredictionFrameTests
{
    private static DataTable Training() => DataTable.FromColumns(
        ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }),
        ("x", new[] { 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4 }),
        ("a", new string?[] { "q", "p", "r", "p", "q", "r", "p", "q" }),
        ("k", new[] { 10.0, 20, 10, 20, 10, 20, 10, 20 }),
        ("g", new string?[] { "g1", "g1", "g2", "g2", "g3", "g3", "g4", "g4" })).WithFactors("k");

    private static ModelFrame Fit(string formula) =>
        ModelFrameBuilder.Build(Training(), FormulaParser.Parse(formula), FamilyKind.Gaussian, LinkKind.Identity);

    private static ModelFrame Predict(DataTable data, string formula, IReadOnlyDictionary<string, string[]> levels) =>
        ModelFrameBuilder.BuildForPrediction(data, FormulaParser.Parse(formula), FamilyKind.Gaussian, LinkKind.Identity, levels);

    [Fact]
    public void FitRecordsTheLevelsOfFactorsInTheDesign()
    {
        var frame = Fit("y ~ x + a + (1 + k | g)");
        Assert.NotNull(frame.FactorLevels);
        // Fixed and random-term factors, not the grouping factor; numeric factors spelled as R spells them.
        Assert.Equal(new[] { "a", "k" }, frame.FactorLevels!.Keys.Order());
        Assert.Equal(new[] { "p", "q", "r" }, frame.FactorLevels["a"]);
        Assert.Equal(new[] { "10", "20" }, frame.FactorLevels["k"]);
        Assert.Empty(Fit("y ~ x + (1 | g)").FactorLevels!);
    }

    [Fact]
    public void NewDataAreCodedWithTheFitsLevelsInSourceOrder()
    {
        var levels = Fit("y ~ x + a + (1 | g)").FactorLevels!;
        // Only level r appears, and there is no response: the design still has the fit's columns.
        var data = DataTable.FromColumns(
            ("x", new[] { 7.0, 8, 9 }),
            ("a", new string?[] { "r", "r", "p" }),
            ("g", new string?[] { "g9", "g1", "g9" }));
        var frame = Predict(data, "y ~ x + a + (1 | g)", levels);
        Assert.Equal(new[] { "(Intercept)", "x", "aq", "ar" }, frame.FixedNames);
        Assert.Equal(new[] { 0, 1, 2 }, frame.SourceRow);
        Assert.Equal(new[] { 7.0, 8, 9 }, Column(frame, "x"));
        Assert.Equal(new[] { 0.0, 0, 0 }, Column(frame, "aq"));
        Assert.Equal(new[] { 1.0, 1, 0 }, Column(frame, "ar"));
        Assert.All(frame.Response, v => Assert.True(double.IsNaN(v)));
        var block = Assert.Single(frame.RandomEffects);
        Assert.Null(block.ClusterOffsets);
        Assert.Equal(new[] { "g9", "g1", "g9" }, block.LevelOfRow.Select(c => block.Levels[c]));
    }

    [Fact]
    public void ANumericFactorIsMatchedByItsSpelling()
    {
        var levels = Fit("y ~ k + (1 | g)").FactorLevels!;
        // Not declared a factor in the new data: the fit says it is one. One group is enough to predict.
        var data = DataTable.FromColumns(("k", new[] { 20.0, 10 }), ("g", new string?[] { "g1", "g1" }));
        var frame = Predict(data, "y ~ k + (1 | g)", levels);
        Assert.Equal(new[] { "(Intercept)", "k20" }, frame.FixedNames);
        Assert.Equal(new[] { 1.0, 0 }, Column(frame, "k20"));
    }

    [Fact]
    public void RowsMissingACovariateAreLeftOutButAMissingResponseIsNot()
    {
        var levels = Fit("y ~ x + a + (1 | g)").FactorLevels!;
        var data = DataTable.FromColumns(
            ("y", new[] { double.NaN, 1, 2, 3 }),
            ("x", new[] { 1.0, double.NaN, 3, 4 }),
            ("a", new string?[] { "p", "q", null, "r" }),
            ("g", new string?[] { "g1", "g2", "g3", "g4" }));
        var frame = Predict(data, "y ~ x + a + (1 | g)", levels);
        Assert.Equal(new[] { 0, 3 }, frame.SourceRow);
        Assert.Equal(2, frame.DroppedRows);
    }

    [Fact]
    public void AnUnseenLevelNamesTheColumnAndTheLevel()
    {
        var levels = Fit("y ~ x + a + (1 | g)").FactorLevels!;
        var data = DataTable.FromColumns(("x", new[] { 1.0, 2 }), ("a", new string?[] { "p", "zz" }), ("g", new string?[] { "g1", "g1" }));
        var e = Assert.Throws<GlmmException>(() => Predict(data, "y ~ x + a + (1 | g)", levels));
        Assert.Contains("column 'a'", e.Message);
        Assert.Contains("'zz'", e.Message);
        Assert.Contains("row 2", e.Message);
    }

    [Fact]
    public void AMissingColumnIsNamedButTheResponseIsNotNeeded()
    {
        var levels = Fit("y ~ x + a + (1 | g)").FactorLevels!;
        var data = DataTable.FromColumns(("x", new[] { 1.0 }), ("g", new string?[] { "g1" }));
        var e = Assert.Throws<GlmmException>(() => Predict(data, "y ~ x + a + (1 | g)", levels));
        Assert.Contains("unknown column 'a'", e.Message);
    }

    [Fact]
    public void TextWhereTheFitHadNumbersIsAnError()
    {
        var levels = Fit("y ~ x + (1 | g)").FactorLevels!;
        var data = DataTable.FromColumns(("x", new string?[] { "1.5" }), ("g", new string?[] { "g1" }));
        Assert.Contains("column 'x' holds text", Assert.Throws<GlmmException>(() => Predict(data, "y ~ x + (1 | g)", levels)).Message);
    }

    private static double[] Column(ModelFrame frame, string name)
    {
        int c = Array.IndexOf(frame.FixedNames, name);
        return Enumerable.Range(0, frame.RowCount).Select(i => frame.XAt(i, c)).ToArray();
    }
}

using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using Xunit;

namespace GlmmGpu.Tests.Model;

/// <summary>
/// The fixed-effects design's size is known before it is built: past what the dense path serves it is refused at once,
/// naming the term and the columns; a design large enough to be slow carries a note saying so.
/// </summary>
public class FixedDesignSizeTests
{
    /// <summary><paramref name="rows"/> rows, factor f with <paramref name="levels"/> levels (each present), 20 groups g.</summary>
    private static DataTable ManyLevels(int rows, int levels)
    {
        var y = new double[rows];
        var f = new string?[rows];
        var g = new string?[rows];
        for (int i = 0; i < rows; i++)
        {
            y[i] = Math.Sin(i);
            f[i] = "L" + (i % levels);
            g[i] = "G" + (i % 20);
        }
        return DataTable.FromColumns(("y", y), ("f", f), ("g", g));
    }

    [Fact]
    public void AFactorOfManyLevelsIsRefusedBeforeItsColumnsAreBuilt()
    {
        var e = Assert.Throws<GlmmException>(() => Glmm.Frame(ManyLevels(2100, 2100), new ModelSpec("y ~ f + (1 | g)", FamilyKind.Gaussian)));
        Assert.Equal(
            "the fixed-effects design would have 2100 columns, 2099 of them from the term 'f': glmm's dense fixed-effects path serves up to 2000, " +
            "as its work grows with rows times columns squared; fit a factor with many levels as a random effect, (1 | f) in place of f, or merge its levels",
            e.Message);
        // The same factor as a random effect is served.
        Assert.Equal(2100, Glmm.Frame(ManyLevels(2100, 2100), new ModelSpec("y ~ 1 + (1 | f)", FamilyKind.Gaussian)).RandomEffects[0].LevelCount);
    }

    [Fact]
    public void TheFrameRecordsThePlannedSizeWhichMatchesTheBuiltDesign()
    {
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }), ("x", new[] { 0.5, 1, 2, 3, 1, 0, 4, 2 }),
            ("a", new string?[] { "p", "q", "r", "p", "q", "r", "p", "q" }), ("b", new string?[] { "u", "v", "u", "v", "u", "v", "v", "u" }),
            ("g", new string?[] { "1", "1", "2", "2", "3", "3", "4", "4" }));
        foreach (var (formula, columns) in new[] { ("y ~ a * b + x + (1 | g)", 7L), ("y ~ 0 + a + x:a + (1 | g)", 6L), ("y ~ x + (1 | g)", 2L) })
        {
            var frame = Glmm.Frame(data, new ModelSpec(formula, FamilyKind.Gaussian));
            Assert.Equal(columns, frame.FixedDesign!.Columns);
            Assert.Equal(columns, frame.P + frame.DroppedColumns.Length);
            Assert.Equal(8, frame.FixedDesign.Rows);
        }
        var size = Glmm.Frame(data, new ModelSpec("y ~ a * b + x + (1 | g)", FamilyKind.Gaussian)).FixedDesign!;
        Assert.Equal("a", size.LargestTerm);
        Assert.Equal("8 rows by 7 columns (a: 2)", size.ToString());
        Assert.Null(size.SlowNote);
    }

    [Fact]
    public void ADesignLargerThanMemoryIsRefusedWithItsSize()
    {
        var size = new FixedDesignSize(1_000_000, 1500, "f", 1499);
        var e = Assert.Throws<GlmmException>(() => size.Check(availableBytes: 8L << 30));
        Assert.Equal(
            "the fixed-effects design would be 1000000 rows by 1500 columns (f: 1499), 11.2 GB as doubles and twice that while it is built, " +
            "more than the 8.0 GB of memory available; fit a factor with many levels as a random effect, (1 | f) in place of f, or merge its levels",
            e.Message);
        var tooManyValues = Assert.Throws<GlmmException>(() => new FixedDesignSize(2_000_000, 1500, "f", 1499).Check(long.MaxValue));
        Assert.Contains($"more values than one array holds ({Array.MaxLength})", tooManyValues.Message);
        size.Check(availableBytes: 64L << 30);
    }

    [Fact]
    public void ASlowDesignCarriesANote()
    {
        Assert.Equal(
            "the fixed-effects design is 20000 rows by 1000 columns (f: 999): the fit's work grows with rows times columns squared, " +
            "and it may take minutes; fit a factor with many levels as a random effect, (1 | f) in place of f, or merge its levels",
            new FixedDesignSize(20_000, 1000, "f", 999).SlowNote);
        Assert.Null(new FixedDesignSize(1_000_000, 50, "f", 49).SlowNote);
        // Numeric terms alone: the remedy is fewer terms.
        Assert.EndsWith("use fewer fixed-effect terms", new FixedDesignSize(10_000_000, 40, "I(x^2)", 1).SlowNote);
    }

    [Fact]
    public void EmptyInteractionCellsAreDroppedAsAliased()
    {
        // a:b has no row with a = r and b = v: that column is all zeros, dropped by name as lme4 does.
        var data = DataTable.FromColumns(
            ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }),
            ("a", new string?[] { "p", "q", "r", "p", "q", "r", "p", "q" }), ("b", new string?[] { "u", "v", "u", "v", "u", "u", "v", "u" }),
            ("g", new string?[] { "1", "1", "2", "2", "3", "3", "4", "4" }));
        var frame = Glmm.Frame(data, new ModelSpec("y ~ a * b + (1 | g)", FamilyKind.Gaussian));
        Assert.Equal(new[] { "ar:bv" }, frame.DroppedColumns);
        Assert.Equal(new[] { "(Intercept)", "aq", "ar", "bv", "aq:bv" }, frame.FixedNames);
    }
}

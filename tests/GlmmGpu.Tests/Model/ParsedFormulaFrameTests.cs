using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Model;

/// <summary>Formulas as users write them, through the parser into the frame: R's column names come out.</summary>
public class ParsedFormulaFrameTests
{
    private static DataTable Data() => DataTable.FromColumns(
        ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }),
        ("s", new[] { 1.0, 0, 2, 3, 1, 0, 2, 1, 4, 0, 1, 2 }),
        ("n", new[] { 4.0, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5 }),
        ("x", new[] { 1.0, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233 }),
        ("z", new[] { 0.5, -1, 2, 0, 1, 3, 0.25, 7, -2, 1, 0, 4 }),
        ("a", new string?[] { "p", "q", "r", "p", "q", "r", "p", "q", "r", "p", "q", "r" }),
        ("b", new string?[] { "u", "u", "u", "v", "v", "v", "w", "w", "w", "u", "v", "w" }),
        ("g", new string?[] { "1", "1", "1", "1", "2", "2", "2", "2", "3", "3", "3", "3" }));

    private static ModelFrame Build(string formula, FamilyKind family = FamilyKind.Gaussian) =>
        ModelFrameBuilder.Build(Data(), FormulaParser.Parse(formula), family, FamilyNames.DefaultLink(family));

    [Theory]
    [InlineData("y ~ x + (1 | g)", new[] { "(Intercept)", "x" })]
    [InlineData("y ~ 0 + a + x + (1 | g)", new[] { "ap", "aq", "ar", "x" })]
    [InlineData("y ~ a * x + (1 | g)", new[] { "(Intercept)", "aq", "ar", "x", "aq:x", "ar:x" })]
    [InlineData("y ~ x * z + (1 | g)", new[] { "(Intercept)", "x", "z", "x:z" })]
    [InlineData("y ~ x + I(x^2) + log(x) + (1 | g)", new[] { "(Intercept)", "x", "I(x^2)", "log(x)" })]
    [InlineData("y ~ b + a:x + (1 | g)", new[] { "(Intercept)", "bv", "bw", "ap:x", "aq:x", "ar:x" })]
    public void ColumnNamesFollowModelMatrix(string formula, string[] names) =>
        Assert.Equal(names, Build(formula).FixedNames);

    [Fact]
    public void FactorByFactorInteraction()
    {
        // Every a, b combination occurs, so all nine columns are kept; a varies fastest in the products.
        var frame = Build("y ~ a * b + (1 | g)");
        Assert.Equal(new[] { "(Intercept)", "aq", "ar", "bv", "bw", "aq:bv", "ar:bv", "aq:bw", "ar:bw" }, frame.FixedNames);
        Assert.Empty(frame.DroppedColumns);
        int c = Array.IndexOf(frame.FixedNames, "ar:bw");
        for (int i = 0; i < frame.RowCount; i++)
            Assert.Equal(frame.SourceRow[i] is 8 or 11 ? 1.0 : 0.0, frame.XAt(i, c));
    }

    [Fact]
    public void CbindOffsetAndNestedGrouping()
    {
        var frame = Build("cbind(s, n - s) ~ x + offset(log(n)) + (1 | g/a)", FamilyKind.Binomial);
        Assert.Equal(new[] { "(Intercept)", "x" }, frame.FixedNames);
        Assert.Equal(new[] { "g", "g:a" }, frame.RandomEffects.Select(b => b.GroupingFactor));
        Assert.Equal(new[] { "1:p", "1:q", "1:r", "2:p", "2:q", "2:r", "3:p", "3:q", "3:r" }, frame.RandomEffects[1].Levels);
        for (int i = 0; i < frame.RowCount; i++)
        {
            int r = frame.SourceRow[i];
            Assert.Equal(Math.Log(new[] { 4.0, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5 }[r]), frame.Offset[i], 14);
            Assert.Equal(new[] { 4.0, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5 }[r], frame.Weights[i]);
        }
    }

    [Fact]
    public void UncorrelatedSlopeIsOneBlockMarkedUncorrelated()
    {
        var block = Assert.Single(Build("y ~ x + (1 + x || g)").RandomEffects);
        Assert.False(block.Correlated);
        Assert.Equal(new[] { "(Intercept)", "x" }, block.TermNames);
    }

    [Fact]
    public void UnknownColumnInAParsedInteraction()
    {
        var e = Assert.Throws<GlmmException>(() => Build("y ~ foo:x + (1 | g)"));
        Assert.Contains("unknown column 'foo' in term 'foo:x'", e.Message);
    }
}

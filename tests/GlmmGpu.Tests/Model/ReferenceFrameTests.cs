using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Model;

/// <summary>The model frame of every reference fit matches what R built: names, rows, levels, values.</summary>
public class ReferenceFrameTests
{
    // Levels per grouping factor of each data set (README; lme4's ngrps).
    private static readonly Dictionary<string, Dictionary<string, int>> LevelCounts = new()
    {
        ["cbpp.csv"] = new() { ["herd"] = 15 },
        ["grouseticks.csv"] = new() { ["BROOD"] = 118, ["INDEX"] = 403, ["LOCATION"] = 63, ["LOCATION:BROOD"] = 118 },
        ["pastes.csv"] = new() { ["batch"] = 10, ["batch:cask"] = 30 },
        ["penicillin.csv"] = new() { ["plate"] = 24, ["sample"] = 6 },
        ["sim_crossed_slope.csv"] = new() { ["subj"] = 40, ["item"] = 25 },
        ["sim_crossed_binary.csv"] = new() { ["subj"] = 300, ["item"] = 40 },
        ["sim_nested_binary.csv"] = new() { ["school"] = 40, ["school:class"] = 200 },
        ["verbagg.csv"] = new() { ["id"] = 316, ["item"] = 24 },
        ["sleepstudy.csv"] = new() { ["Subject"] = 18 },
        ["sim_poisson_slope.csv"] = new() { ["g"] = 200 },
        ["sim_binary_slope.csv"] = new() { ["g"] = 300 },
        ["sim_gamma.csv"] = new() { ["g"] = 150 },
        ["sim_negbin.csv"] = new() { ["g"] = 150 },
    };

    /// <summary>The reference fits: the fixtures with a row count (not the inference and condVar references).</summary>
    public static TheoryData<string> Cases() => new(Fixtures.Names("json").Where(name => Fixtures.Json(name).TryGetProperty("nobs", out _)));

    private static (ModelFrame Frame, DataTable Data, JsonElement Fit) Build(string fixture)
    {
        var fit = Fixtures.Json(fixture);
        var data = CsvLoader.Load(Fixtures.Path(fit.GetProperty("data").GetString()!));
        var formula = FormulaParser.Parse(fit.GetProperty("formula").GetString()!);
        var family = FamilyNames.ParseFamily(fit.GetProperty("family").GetString()!);
        var link = FamilyNames.ParseLink(fit.GetProperty("link").GetString()!);
        return (ModelFrameBuilder.Build(data, formula, family, link), data, fit);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParsedFormulaGivesTheSameFrameAsTheTreeBuiltByHand(string fixture)
    {
        var (parsed, data, fit) = Build(fixture);
        string text = fit.GetProperty("formula").GetString()!;
        Assert.True(Formulas.Reference.TryGetValue(text, out var tree), $"no formula tree for '{text}'");
        var byHand = ModelFrameBuilder.Build(data, tree!, parsed.Family, parsed.Link);
        Assert.Equal(byHand.FixedNames, parsed.FixedNames);
        Assert.Equal(byHand.X, parsed.X);
        Assert.Equal(byHand.Response, parsed.Response);
        Assert.Equal(byHand.Weights, parsed.Weights);
        Assert.Equal(byHand.SourceRow, parsed.SourceRow);
        Assert.Equal(byHand.RandomEffects.Length, parsed.RandomEffects.Length);
        for (int b = 0; b < parsed.RandomEffects.Length; b++)
        {
            Assert.Equal(byHand.RandomEffects[b].TermNames, parsed.RandomEffects[b].TermNames);
            Assert.Equal(byHand.RandomEffects[b].Correlated, parsed.RandomEffects[b].Correlated);
            Assert.Equal(byHand.RandomEffects[b].Z, parsed.RandomEffects[b].Z);
            Assert.Equal(byHand.RandomEffects[b].Levels, parsed.RandomEffects[b].Levels);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FixedEffectNamesMatchTheFit(string fixture)
    {
        var (frame, _, fit) = Build(fixture);
        var expected = fit.GetProperty("fixef").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(expected, frame.FixedNames);
        Assert.Empty(frame.DroppedColumns);
        Assert.Equal(frame.RowCount * frame.P, frame.X.Length);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RowsMatchTheFit(string fixture)
    {
        var (frame, data, fit) = Build(fixture);
        Assert.Equal(fit.GetProperty("nobs").GetInt32(), frame.RowCount);
        Assert.Equal(0, frame.DroppedRows);
        Assert.Equal(Enumerable.Range(0, data.RowCount), frame.SourceRow.Order());
        Assert.Equal(frame.RowCount, frame.Weights.Length);
        Assert.Equal(frame.RowCount, frame.Offset.Length);
        Assert.All(frame.Offset, o => Assert.Equal(0.0, o));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GroupingFactorsHaveTheFitsLevels(string fixture)
    {
        var (frame, _, fit) = Build(fixture);
        var counts = LevelCounts[fit.GetProperty("data").GetString()!];
        foreach (var block in frame.RandomEffects)
        {
            Assert.Equal(counts[block.GroupingFactor], block.LevelCount);
            Assert.Equal(frame.RowCount, block.LevelOfRow.Length);
            Assert.Equal(frame.RowCount * block.Q, block.Z.Length);
            if (fit.TryGetProperty("ranef", out var ranef) && ranef.TryGetProperty(block.GroupingFactor, out var modes))
            {
                var levels = modes.EnumerateObject().Select(p => p.Name).ToArray();
                // VerbAgg's item keeps the level order of the R package's data set, not a sorted one.
                if (block.GroupingFactor == "item") Assert.Equal(levels.Order(StringComparer.Ordinal), block.Levels);
                else Assert.Equal(levels, block.Levels);
            }
        }
        if (fit.TryGetProperty("varcorr", out var varcorr))
        {
            var first = frame.RandomEffects[0];
            var sd = varcorr.GetProperty(first.GroupingFactor).GetProperty("sd").EnumerateObject().Select(p => p.Name).ToArray();
            // An uncorrelated (1 + x || g) term is one block here; lme4 reports it as g and g.1.
            if (first.Correlated) Assert.Equal(sd, first.TermNames);
            else Assert.Equal(new[] { "(Intercept)", "x" }, first.TermNames);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RowsAreSortedIntoClusters(string fixture)
    {
        var (frame, _, _) = Build(fixture);
        var block = frame.RandomEffects[0];
        var offsets = block.ClusterOffsets!;
        Assert.Equal(block.LevelCount + 1, offsets.Length);
        Assert.Equal(0, offsets[0]);
        Assert.Equal(frame.RowCount, offsets[^1]);
        for (int g = 0; g < block.LevelCount; g++)
        {
            Assert.True(offsets[g + 1] > offsets[g], $"level {block.Levels[g]} has no rows");
            for (int i = offsets[g]; i < offsets[g + 1]; i++)
            {
                Assert.Equal(g, block.LevelOfRow[i]);
                if (i > offsets[g]) Assert.True(frame.SourceRow[i] > frame.SourceRow[i - 1], "rows keep their order within a cluster");
            }
        }
        Assert.All(frame.RandomEffects.Skip(1), b => Assert.Null(b.ClusterOffsets));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DesignValuesMatchTheData(string fixture)
    {
        var (frame, data, _) = Build(fixture);
        for (int col = 0; col < frame.P; col++)
            for (int i = 0; i < frame.RowCount; i += 7)
                Assert.Equal(Expected(data, frame.FixedNames[col], frame.SourceRow[i]), frame.XAt(i, col));
        foreach (var block in frame.RandomEffects)
            for (int k = 0; k < block.Q; k++)
                for (int i = 0; i < frame.RowCount; i += 7)
                    Assert.Equal(Expected(data, block.TermNames[k], frame.SourceRow[i]), block.Z[k * frame.RowCount + i]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResponseMatchesTheData(string fixture)
    {
        var (frame, data, _) = Build(fixture);
        for (int i = 0; i < frame.RowCount; i++)
        {
            int r = frame.SourceRow[i];
            if (frame.Formula.Response is BinomialResponse)
            {
                Assert.Equal(Value(data, "incidence", r), frame.Response[i]);
                Assert.Equal(Value(data, "size", r), frame.Weights[i]);
            }
            else
            {
                var name = ((ColumnExpression)((SingleResponse)frame.Formula.Response).Value).Name;
                Assert.Equal(Value(data, name, r), frame.Response[i]);
                Assert.Equal(1.0, frame.Weights[i]);
            }
        }
    }

    [Fact]
    public void CbppAsProportionsWithWeightsEqualsCbind()
    {
        var data = CsvLoader.Load(Fixtures.Path("cbpp.csv"));
        var counts = ModelFrameBuilder.Build(data, FormulaParser.Parse("cbind(incidence, size - incidence) ~ period + (1 | herd)"),
            FamilyKind.Binomial, LinkKind.Logit);
        var proportion = FormulaParser.Parse("incidence / size ~ period + (1 | herd)");
        var weighted = ModelFrameBuilder.Build(data, proportion, FamilyKind.Binomial, LinkKind.Logit, "size");
        Assert.Equal(counts.Weights, weighted.Weights);
        for (int i = 0; i < counts.RowCount; i++) Assert.Equal(counts.Response[i], weighted.Response[i], 12);
        Assert.Equal(counts.X, weighted.X);
        Assert.Equal("size", weighted.WeightsColumn);
    }

    // What a design column holds for a data row: 1 for the intercept, the value of a numeric column,
    // or the indicator of a factor level (name = column + level).
    private static double Expected(DataTable data, string name, int row)
    {
        if (name == "(Intercept)") return 1.0;
        if (data.Contains(name) && !data.IsFactor(name)) return Value(data, name, row);
        var column = data.Columns.Where(c => data.IsFactor(c.Name) && name.StartsWith(c.Name, StringComparison.Ordinal))
            .OrderByDescending(c => c.Name.Length).First();
        string level = name[column.Name.Length..];
        string actual = column is StringColumn s ? s.Values[row]! : ((NumericColumn)column).Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return actual == level ? 1.0 : 0.0;
    }

    private static double Value(DataTable data, string name, int row) => ((NumericColumn)data[name]).Values[row];
}

using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace GlmmGpu.Tests.Simulation;

/// <summary>Simulated data with several grouping factors, crossed and nested: the file depends only on the options, the
/// single-factor file is the one it always was, the design is what was asked for, and a refit recovers the
/// parameters within their sampling error.</summary>
public class SeveralFactorSimulationTests(ITestOutputHelper output)
{
    private static readonly SimulatedFactor[] Crossed = [new("subj", 300), new("item", 60, Sd: 0.5)];
    private static readonly SimulatedFactor[] Nested = [new("school", 60, Sd: 0.7), new("class", 4, NestedIn: "school", Sd: 0.5)];

    private static byte[] Simulate(SimulationSpec spec)
    {
        using var s = new MemoryStream();
        Simulator.Write(spec, s);
        return s.ToArray();
    }

    private static DataTable Load(byte[] file) => CsvLoader.Load(new StreamReader(new MemoryStream(file)));

    [Fact]
    public void TheFileDependsOnlyOnTheOptions()
    {
        var spec = new SimulationSpec(150_000, 0, FamilyKind.Poisson, Seed: 5) { Factors = [.. Crossed, new("day", 7, Sd: 0.2, SlopeSd: 0.1)] };
        var first = Simulate(spec);
        Assert.Equal(first, Simulate(spec));
        Assert.NotEqual(first, Simulate(spec with { Seed = 6 }));
        var (memory, _) = Simulator.Generate(spec);
        var file = Load(first);
        foreach (var name in new[] { "subj", "item", "day", "y" })
            Assert.Equal(((NumericColumn)memory[name]).Values, ((NumericColumn)file[name]).Values);
    }

    [Fact]
    public void OneNamedFactorWritesTheSingleFactorFileUnderItsName()
    {
        var legacy = new SimulationSpec(70_000, 500, FamilyKind.Binomial, Slopes: true, Sd: 0.6, Seed: 2);
        var named = legacy with { Groups = 0, Factors = [new("g", 500, Sd: 0.6, SlopeSd: 0.3)] };
        Assert.Equal(Simulate(legacy), Simulate(named));
        var renamed = Encoding.ASCII.GetString(Simulate(legacy with { Groups = 0, Factors = [new("herd", 500, Sd: 0.6, SlopeSd: 0.3)] }));
        Assert.Equal("herd" + Encoding.ASCII.GetString(Simulate(legacy))[1..], renamed);
    }

    [Fact]
    public void NestedLabelsRepeatWithinEachParentAndCrossedLevelsMeetEveryOther()
    {
        var nested = Load(Simulate(new SimulationSpec(4_800, 0, FamilyKind.Gaussian) { Factors = Nested }));
        var school = ((NumericColumn)nested["school"]).Values;
        var @class = ((NumericColumn)nested["class"]).Values;
        Assert.Equal(60, school.Distinct().Count());
        Assert.Equal(new double[] { 1, 2, 3, 4 }, @class.Distinct().Order());
        Assert.Equal(240, school.Zip(@class).Distinct().Count());
        // 20 rows per class, in runs inside their school's run.
        Assert.All(school.Zip(@class).GroupBy(p => p).Select(g => g.Count()), c => Assert.Equal(20, c));

        var crossed = Load(Simulate(new SimulationSpec(30_000, 0, FamilyKind.Binomial) { Factors = Crossed }));
        var subj = ((NumericColumn)crossed["subj"]).Values;
        var item = ((NumericColumn)crossed["item"]).Values;
        Assert.Equal(300, subj.Distinct().Count());
        Assert.Equal(60, item.Distinct().Count());
        // Each subject (100 rows) sees items drawn at random: about 60 (1 - e^(-100/60)) = 48.9 distinct.
        double meanItems = subj.Zip(item).GroupBy(p => p.First).Average(g => g.Select(p => p.Second).Distinct().Count());
        Assert.InRange(meanItems, 46, 52);
    }

    [Theory]
    [InlineData(FamilyKind.Poisson, true)]
    [InlineData(FamilyKind.Binomial, false)]
    [InlineData(FamilyKind.Gaussian, false)]
    public void ARefitRecoversTheParametersWithinTheirSamplingError(FamilyKind family, bool crossed)
    {
        var spec = new SimulationSpec(crossed ? 12_000 : 9_600, 0, family, Seed: 21) { Factors = crossed ? Crossed : Nested };
        var truth = Simulator.Write(spec, Stream.Null);
        var fit = Glmm.Fit(Load(Simulate(spec)), new ModelSpec(truth.Formula, family),
            new FitOptions { Method = family == FamilyKind.Gaussian ? FitMethod.Ml : FitMethod.Laplace, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        output.WriteLine(truth.ToString());
        foreach (var c in fit.FixedEffects) output.WriteLine($"{c.Name} {c.Estimate:R} ({c.StdError:R})");
        foreach (var v in fit.VarCorr) output.WriteLine($"{v.Factor} sd {v.Sd[0]:R}");
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        foreach (var c in fit.FixedEffects)
            Assert.InRange((c.Estimate - truth.FixedEffects[c.Name]) / c.StdError, -4, 4);
        Assert.Equal(truth.Terms.Count, fit.VarCorr.Count);
        foreach (var term in truth.Terms)
        {
            var vc = fit.VarCorr.Single(v => v.Factor == term.Grouping);
            Assert.Equal(term.Levels, fit.NGroups.Single(g => g.Factor == term.Grouping).Levels);
            // An SD estimated from L levels has a relative standard error of about 1 / sqrt(2 L) (more for binary
            // data, whose levels tell less): within 3.5 of them.
            double tolerance = 3.5 / Math.Sqrt(2.0 * term.Levels) * (family == FamilyKind.Binomial ? 1.5 : 1.0);
            Assert.InRange(vc.Sd[0] / term.InterceptSd, 1 - tolerance, 1 + tolerance);
        }
        if (truth.Dispersion is { } d) Assert.InRange(fit.Dispersion!.Value, d * 0.95, d * 1.05);
    }

    [Theory]
    [InlineData("class", 4, "ward", "factor 'class' is nested in 'ward', which is not a factor given before it")]
    [InlineData("x1", 4, null, "the factor name 'x1' is used twice")]
    [InlineData("class", 500, null, "factor 'class' has 500 levels in all, more than the 400 rows")]
    public void ADesignThatCannotBeSimulatedIsRefusedNamingTheFactor(string name, int levels, string? parent, string expected)
    {
        var spec = new SimulationSpec(400, 0, FamilyKind.Poisson) { Factors = [new("school", 10), new(name, levels, parent)] };
        var e = Assert.Throws<GlmmException>(() => Simulator.Check(spec));
        Assert.Contains(expected, e.Message);
    }
}

using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;
using Xunit;

namespace GlmmGpu.Tests.Simulation;

public class SimulatorTests
{
    private static byte[] Simulate(SimulationSpec spec)
    {
        using var s = new MemoryStream();
        Simulator.Write(spec, s);
        return s.ToArray();
    }

    [Fact]
    public void FileDependsOnlyOnTheOptions()
    {
        var spec = new SimulationSpec(200_000, 20_000, FamilyKind.Poisson, Seed: 3);
        Assert.Equal(Simulate(spec), Simulate(spec));
        Assert.NotEqual(Simulate(spec), Simulate(spec with { Seed = 4 }));
    }

    [Fact]
    public void HasTheDocumentedShape()
    {
        var text = Encoding.ASCII.GetString(Simulate(new SimulationSpec(1000, 50, FamilyKind.Binomial)));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("g,x1,x2,x3,x4,y", lines[0]);
        Assert.Equal(1001, lines.Length);
        var table = CsvLoader.Load(new StringReader(text));
        var y = ((NumericColumn)table["y"]).Values;
        Assert.All(y, v => Assert.True(v == 0 || v == 1));
        Assert.Equal(50, ((NumericColumn)table["g"]).Values.Distinct().Count());
    }

    [Theory]
    [InlineData(FamilyKind.Binomial, false)]
    [InlineData(FamilyKind.Poisson, true)]
    [InlineData(FamilyKind.Gamma, false)]
    [InlineData(FamilyKind.NegativeBinomial, false)]
    public void LargeSimulatedSetsRecoverTheirParameters(FamilyKind family, bool slopes)
    {
        var spec = new SimulationSpec(60_000, 3_000, family, Slopes: slopes, Seed: 11);
        using var stream = new MemoryStream(Simulate(spec));
        var truth = Simulator.Write(spec, Stream.Null);
        var fit = Glmm.Fit(CsvLoader.Load(new StreamReader(stream)), new ModelSpec(truth.Formula, family));
        Assert.True(fit.Converged);
        foreach (var c in fit.FixedEffects)
            Assert.InRange((c.Estimate - truth.FixedEffects[c.Name]) / c.StdError, -4, 4);
        Assert.InRange(fit.VarCorr[0].Sd[0], truth.InterceptSd * 0.9, truth.InterceptSd * 1.1);
        if (truth.SlopeSd is { } s) Assert.InRange(fit.VarCorr[0].Sd[1], s * 0.75, s * 1.25);
        if (truth.Dispersion is { } d)
            Assert.InRange(fit.Dispersion!.Value, d * 0.9, d * 1.1);
    }

    [Fact]
    public void InMemoryDataEqualsTheFile()
    {
        var spec = new SimulationSpec(150_000, 9_000, FamilyKind.Binomial, Slopes: true, Seed: 8);
        var (memory, _) = Simulator.Generate(spec);
        var file = CsvLoader.Load(new StreamReader(new MemoryStream(Simulate(spec))));
        foreach (var name in new[] { "g", "x1", "x2", "x3", "x4", "y" })
        {
            var a = ((NumericColumn)memory[name]).Values;
            var b = ((NumericColumn)file[name]).Values;
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6 * Math.Max(1, Math.Abs(a[i])), $"{name}[{i}]: {a[i]} vs {b[i]}");
        }
    }
}

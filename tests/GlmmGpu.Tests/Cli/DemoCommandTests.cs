using GlmmGpu.Cli;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Cli;

public class DemoCommandTests
{
    [Fact]
    public void EmbeddedCbppIsThere()
    {
        using var reader = DemoCommand.OpenData();
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\"herd\",\"incidence\",\"size\",\"period\",\"fail\"", lines[0].TrimEnd('\r'));
        Assert.Equal(57, lines.Length);
        var fixture = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cbpp.csv"));
        using var again = DemoCommand.OpenData();
        Assert.Equal(fixture, again.ReadToEnd());
    }

    [Fact]
    public void FitsLme4sCbppModelByLaplace()
    {
        Assert.Equal("cbind(incidence, size - incidence) ~ period + (1 | herd)", DemoCommand.Spec.Formula);
        Assert.Equal(FamilyKind.Binomial, DemoCommand.Spec.Family);
        Assert.Equal(new[] { "herd", "period" }, DemoCommand.Factors);
        var options = DemoCommand.FitOptionsFor(DeviceChoice.Auto);
        Assert.Equal(FitMethod.Laplace, options.Method);
        Assert.Equal(1, options.NAgq);
        Assert.Equal(DeviceChoice.Cpu, DemoCommand.FitOptionsFor(DeviceChoice.Cpu).Execution.Device);
    }
}

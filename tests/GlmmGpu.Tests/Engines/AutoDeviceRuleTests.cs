using GlmmGpu.Engines;
using Xunit;

namespace GlmmGpu.Tests.Engines;

/// <summary><c>--device auto</c>'s rule, on the figures measured on an H200 with 16 cores: the CPU path at 1e6 and 1e7
/// rows, where it was measured faster, the GPU at 1e8, where it was; the linear engines on the CPU path.</summary>
public class AutoDeviceRuleTests
{
    private const string Gpu = "cuda:NVIDIA H200";

    [Theory]
    [InlineData(1e6, 7, false)]
    [InlineData(1e7, 7, false)]
    [InlineData(1e7, 1, false)]
    [InlineData(1e8, 7, true)]
    [InlineData(1e8, 1, true)]
    public void MeasuredSizesGoWhereTheyRanFaster(double rows, int nodes, bool gpu)
    {
        Assert.Equal(gpu, AutoDeviceRule.PrefersGpu(Workload.Likelihood((long)rows, nodes, 1), Gpu, cores: 16, out var reason));
        Assert.StartsWith("auto: " + (gpu ? Gpu : "the CPU SIMD path"), reason);
        Assert.Contains("16 CPU cores", reason);
    }

    [Fact]
    public void FewerCoresOrMoreQuadraturePointsMoveTheChoiceToTheGpu()
    {
        var work = Workload.Likelihood(10_000_000, 7, 1);
        Assert.False(AutoDeviceRule.PrefersGpu(work, Gpu, cores: 16, out _));
        Assert.True(AutoDeviceRule.PrefersGpu(work, Gpu, cores: 2, out _));
        Assert.True(AutoDeviceRule.PrefersGpu(Workload.Likelihood(10_000_000, 7, 2), Gpu, cores: 16, out _));
    }

    [Fact]
    public void LinearModelsStayOnTheCpuPath()
    {
        Assert.False(AutoDeviceRule.PrefersGpu(Workload.LinearModel(100_000_000), Gpu, cores: 2, out var reason));
        Assert.Contains("PQL and the linear mixed model", reason);
    }
}

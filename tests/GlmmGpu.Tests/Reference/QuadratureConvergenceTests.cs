using GlmmGpu.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Reference;

/// <summary>More nodes converge: the maximised AGQ log-likelihood moves by less than 1e-6 from K = 30 to K = 50.</summary>
public class QuadratureConvergenceTests
{
    [Theory]
    [InlineData("cbpp_agq30_ml")]
    [InlineData("grouseticks_agq30_ml")]
    [InlineData("verbagg_agq30_ml")]
    [InlineData("sim_binary_slope_agq12_ml")]
    [InlineData("sim_poisson_slope_agq12_ml")]
    public void LogLikelihoodSettlesBetween30And50Nodes(string name)
    {
        var reference = new ReferenceCase(name);
        var at30 = reference.Fit(FitMethod.Agq, 30);
        var at50 = reference.Fit(FitMethod.Agq, 50);
        Assert.True(Math.Abs(at30.LogLik!.Value - at50.LogLik!.Value) < 1e-6, $"K=30: {at30.LogLik:R}, K=50: {at50.LogLik:R}");
    }
}

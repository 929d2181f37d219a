using GlmmGpu.Data;
using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Crossed;

/// <summary>
/// The exact gradient of the profiled deviance with several grouping factors against central differences of the
/// deviance itself, away from the optimum (where the gradient is large and every term of it matters): nested scalar
/// terms (Pastes), crossed scalar terms (Penicillin) and a correlated slope crossed with an intercept, by ML and REML.
/// </summary>
public class ProfiledDevianceGradientTests
{
    [Theory]
    [InlineData("pastes_nested_reml", true, new[] { 0.7, 1.9 })]
    [InlineData("penicillin_crossed_reml", false, new[] { 1.1, 2.4 })]
    [InlineData("penicillin_crossed_reml", true, new[] { 0.4, 3.1 })]
    [InlineData("sim_crossed_slope_reml", true, new[] { 0.8, 0.3, 0.6, 1.2 })]
    [InlineData("sim_crossed_slope_reml", false, new[] { 1.3, -0.4, 0.2, 0.5 })]
    public void ExactGradientMatchesCentralDifferences(string name, bool reml, double[] theta)
    {
        var profiler = Profiler(name, reml ? LmmCriterion.Reml : LmmCriterion.Ml);
        Assert.Equal(theta.Length, profiler.Terms.ThetaCount);
        var gradient = new double[theta.Length];
        Assert.True(profiler.DevianceAndGradient(theta, gradient, out double deviance));
        Assert.Equal(profiler.Deviance(theta), deviance, 10);
        for (int k = 0; k < theta.Length; k++)
        {
            double h = 1e-5;
            var up = (double[])theta.Clone();
            var down = (double[])theta.Clone();
            up[k] += h;
            down[k] -= h;
            double differenced = (profiler.Deviance(up) - profiler.Deviance(down)) / (2 * h);
            Assert.True(Math.Abs(gradient[k] - differenced) <= 1e-5 * Math.Max(1, Math.Abs(differenced)),
                $"theta[{k}]: exact {gradient[k]:R}, differenced {differenced:R}");
        }
    }

    [Fact]
    public void ASingularTermFallsBackToDifferences()
    {
        var profiler = Profiler("penicillin_crossed_reml", LmmCriterion.Reml);
        Assert.False(profiler.DevianceAndGradient([0.0, 2.0], new double[2], out double deviance));
        Assert.True(double.IsFinite(deviance));
    }

    internal static CrossedLinearEstimator.Profiler Profiler(string name, LmmCriterion criterion)
    {
        var json = Fixtures.Json(name + ".json");
        var data = CsvLoader.Load(Fixtures.Path(json.GetProperty("data").GetString()!));
        var frame = ModelFrameBuilder.Build(data, FormulaParser.Parse(json.GetProperty("formula").GetString()!), FamilyKind.Gaussian, LinkKind.Identity);
        var terms = new CrossedTerms(frame);
        var products = new BlockedCrossProducts(terms.Pattern, frame.P);
        products.Fill(frame.Weights, frame.X, frame.Response);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        return new CrossedLinearEstimator.Profiler(frame, terms, products, new BlockedCholesky(terms.Pattern, products.Augmented, parallel), criterion, parallel);
    }
}

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
/// terms (Pastes), crossed scalar terms (Penicillin) and a correlated slope crossed with an intercept, by ML, REML and
/// PQL's unit-scale criterion.
/// </summary>
public class ProfiledDevianceGradientTests
{
    [Theory]
    [InlineData("pastes_nested_reml", true, new[] { 0.7, 1.9 })]
    [InlineData("penicillin_crossed_reml", false, new[] { 1.1, 2.4 })]
    [InlineData("penicillin_crossed_reml", true, new[] { 0.4, 3.1 })]
    [InlineData("sim_crossed_slope_reml", true, new[] { 0.8, 0.3, 0.6, 1.2 })]
    [InlineData("sim_crossed_slope_reml", false, new[] { 1.3, -0.4, 0.2, 0.5 })]
    [InlineData("pastes_nested_reml", null, new[] { 1.7, 0.6 })]
    public void ExactGradientMatchesCentralDifferences(string name, bool? reml, double[] theta)
    {
        // reml null: PQL's criterion with the scale held at 1.
        var profiler = Profiler(name, reml switch { true => LmmCriterion.Reml, false => LmmCriterion.Ml, null => LmmCriterion.UnitScale });
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
    public void WorkingWeightsAndResponseAsPqlFillsThem()
    {
        // PQL fills the products with its working weights and response, not the frame's: the gradient must read the same.
        var random = new Random(5);
        var profiler = Profiler("penicillin_crossed_reml", LmmCriterion.Ml, frame =>
        (
            frame.Weights.Select(_ => 0.3 + random.NextDouble()).ToArray(),
            frame.Response.Select(y => y + random.NextDouble() - 0.5).ToArray()
        ));
        double[] theta = [0.9, 1.7];
        var gradient = new double[2];
        Assert.True(profiler.DevianceAndGradient(theta, gradient, out _));
        for (int k = 0; k < 2; k++)
        {
            var up = (double[])theta.Clone();
            var down = (double[])theta.Clone();
            up[k] += 1e-5;
            down[k] -= 1e-5;
            double differenced = (profiler.Deviance(up) - profiler.Deviance(down)) / 2e-5;
            Assert.True(Math.Abs(gradient[k] - differenced) <= 1e-5 * Math.Max(1, Math.Abs(differenced)), $"theta[{k}]: {gradient[k]:R} vs {differenced:R}");
        }
    }

    [Fact]
    public void ASingularTermFallsBackToDifferences()
    {
        var profiler = Profiler("penicillin_crossed_reml", LmmCriterion.Reml);
        Assert.False(profiler.DevianceAndGradient([0.0, 2.0], new double[2], out double deviance));
        Assert.True(double.IsFinite(deviance));
    }

    internal static CrossedLinearEstimator.Profiler Profiler(string name, LmmCriterion criterion,
        Func<ModelFrame, (double[] Weights, double[] Response)>? rows = null)
    {
        var json = Fixtures.Json(name + ".json");
        var data = CsvLoader.Load(Fixtures.Path(json.GetProperty("data").GetString()!));
        var frame = ModelFrameBuilder.Build(data, FormulaParser.Parse(json.GetProperty("formula").GetString()!), FamilyKind.Gaussian, LinkKind.Identity);
        var terms = new CrossedTerms(frame);
        var products = new BlockedCrossProducts(terms.Pattern, frame.P);
        var (weights, response) = rows?.Invoke(frame) ?? (frame.Weights, frame.Response);
        products.Fill(weights, frame.X, response);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        return new CrossedLinearEstimator.Profiler(frame, terms, products, new BlockedCholesky(terms.Pattern, products.Augmented, parallel), criterion, parallel,
            weights, response);
    }
}

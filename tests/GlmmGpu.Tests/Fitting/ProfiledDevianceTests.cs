using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using Xunit;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;

namespace GlmmGpu.Tests.Fitting;

/// <summary>The one-random-effect path of the profiled deviance: the same sums as the path for any q, and a
/// closed-form slope in theta that central differences confirm.</summary>
public class ProfiledDevianceTests
{
    [Theory]
    [InlineData(0.2)]
    [InlineData(0.9)]
    [InlineData(2.5)]
    public void ScalarThetaSumsAreTheGeneralOnes(double theta)
    {
        var stats = Statistics(q: 1);
        var lambda = Lambda(theta);
        var scalar = DevianceSums.Compute(stats, lambda, withSlope: false);
        var general = DevianceSums.ComputeGeneral(stats, lambda);
        AssertRelative(general.LogDetL, scalar.LogDetL, 1e-12, "log det L");
        for (int k = 0; k < general.Cross.Length; k++) AssertRelative(general.Cross[k], scalar.Cross[k], 1e-11, $"cross {k}");
    }

    [Theory]
    [InlineData("Ml", 0.3)]
    [InlineData("Ml", 1.4)]
    [InlineData("Reml", 0.3)]
    [InlineData("Reml", 1.4)]
    [InlineData("UnitScale", 0.3)]
    [InlineData("UnitScale", 1.4)]
    [InlineData("Ml", -0.8)]
    public void SlopeMatchesCentralDifferences(string criterionName, double theta)
    {
        var criterion = Enum.Parse<LmmCriterion>(criterionName);
        var stats = Statistics(q: 1);
        double f = ProfiledDeviance.DevianceAndSlope(stats, theta, criterion, out double slope);
        Assert.Equal(ProfiledDeviance.Evaluate(stats, Lambda(theta), criterion).Deviance, f, 1e-9 * Math.Abs(f));
        const double h = 1e-4;
        double difference = (ProfiledDeviance.Deviance(stats, Lambda(theta + h), criterion)
            - ProfiledDeviance.Deviance(stats, Lambda(theta - h), criterion)) / (2 * h);
        AssertRelative(difference, slope, 1e-7, $"slope at {theta}", absolute: 1e-9 * Math.Abs(f));
    }

    [Fact]
    public void TheFitEndsWhereTheSlopeVanishes()
    {
        var stats = Statistics(q: 1);
        var fit = LmmFitter.Fit(stats, correlated: false, LmmCriterion.Ml, previous: null, maxIterations: 100);
        Assert.True(fit.Summary.Converged, fit.Summary.Message);
        double f = ProfiledDeviance.DevianceAndSlope(stats, fit.Theta[0], LmmCriterion.Ml, out double slope);
        // The slope is about curvature times distance to the optimum: tiny beside the deviance's scale.
        Assert.True(Math.Abs(slope) < 1e-6 * stats.G, $"slope {slope} at theta {fit.Theta[0]} (deviance {f})");
    }

    [Fact]
    public void ScalarRandomEffectsAreTheGeneralOnes()
    {
        var stats = Statistics(q: 1);
        var lambda = Lambda(0.7);
        var beta = new[] { 0.2, 0.4, -0.3 };
        var (modes, sds, covariances) = ProfiledDeviance.RandomEffects(stats, lambda, beta, sigma: 1.3);
        var onlyModes = ProfiledDeviance.Modes(stats, lambda, beta);
        var mode = new double[1];
        var variance = new double[1];
        for (int c = 0; c < stats.G; c++)
        {
            ProfiledDeviance.GeneralCluster(stats, lambda, beta, 1.3, c, mode, variance);
            AssertRelative(mode[0], modes[c][0], 1e-13, $"mode {c}", absolute: 1e-15);
            AssertRelative(variance[0], covariances[c][0], 1e-13, $"variance {c}");
            AssertRelative(Math.Sqrt(variance[0]), sds[c][0], 1e-13, $"sd {c}");
            Assert.Equal(modes[c][0], onlyModes[c]);
        }
    }

    /// <summary>PQL-like cross-products: a Poisson model's working response and weights at a rough eta.</summary>
    private static LmmSufficientStatistics Statistics(int q)
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 700, perGroup: 6, q, correlated: true, seed: 8);
        var y = new double[frame.RowCount];
        var w = new double[frame.RowCount];
        for (int i = 0; i < y.Length; i++)
        {
            double eta = Math.Log(frame.Response[i] + 0.5);
            default(PoissonLog).Working(frame.Response[i], frame.Weights[i], eta, 1.0, out y[i], out w[i]);
        }
        return HostStatisticsPass.Compute(frame, frame.RandomEffects[0], y, w, new ExecutionOptions { Threads = 0 }.Parallel);
    }

    private static Mat3 Lambda(double theta)
    {
        var lambda = default(Mat3);
        lambda.A00 = theta;
        return lambda;
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what, double absolute = 0) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected) + absolute, $"{what}: {actual:R} vs {expected:R}");
}

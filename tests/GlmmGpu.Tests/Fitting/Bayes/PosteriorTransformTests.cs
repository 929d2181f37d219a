using GlmmGpu.Engines;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Tests.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>The map from the sampler's unconstrained z to the engine's psi, the log prior with its Jacobians, and
/// the whole log posterior's gradient, against finite differences and hand-checkable densities.</summary>
public class PosteriorTransformTests
{
    public static IEnumerable<object[]> Layouts() =>
    [
        [3, 1, false, false, 1.0],
        [2, 2, true, true, 1.0],
        [2, 3, true, false, 1.0],
        [2, 3, false, true, -0.5],
        [1, 2, false, false, 1.0],
    ];

    private static PosteriorTransform Transform(int p, int q, bool correlated, bool dispersion, double power, out ParameterLayout layout)
    {
        layout = new ParameterLayout(p, q, correlated, dispersion);
        var priors = new PriorSet
        {
            Coefficients = Enumerable.Range(0, p).Select(i => i % 2 == 0 ? Prior.Normal(0.5, 3) : new Prior(PriorKind.StudentT, [4, 0, 2])).ToArray(),
            Sds = Enumerable.Range(0, q).Select(j => j % 2 == 0 ? Prior.Exponential(1.5) : new Prior(PriorKind.HalfCauchy, [2])).ToArray(),
            Correlation = layout.Correlated ? Prior.Lkj(2.5) : null,
            Dispersion = dispersion ? new Prior(PriorKind.Gamma, [2, 1]) : null,
            Description = [],
        };
        return new PosteriorTransform(layout, priors, power);
    }

    private static double[] Point(int n, int seed)
    {
        var rng = new ChainRandom(seed, 0);
        return Enumerable.Range(0, n).Select(_ => 1.2 * (rng.NextDouble() - 0.5)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void LogPriorGradientMatchesFiniteDifferences(int p, int q, bool correlated, bool dispersion, double power)
    {
        var t = Transform(p, q, correlated, dispersion, power, out _);
        var z = Point(t.Dimension, 3);
        var grad = new double[t.Dimension];
        t.LogPrior(z, grad);
        var scratch = new double[t.Dimension];
        for (int i = 0; i < t.Dimension; i++)
        {
            double h = 1e-6;
            var plus = (double[])z.Clone();
            var minus = (double[])z.Clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (t.LogPrior(plus, scratch) - t.LogPrior(minus, scratch)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) < 1e-7 * (1 + Math.Abs(fd)), $"z[{i}]: analytic {grad[i]:R}, difference {fd:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void PullBackIsTheTransposedJacobian(int p, int q, bool correlated, bool dispersion, double power)
    {
        var t = Transform(p, q, correlated, dispersion, power, out var layout);
        var z = Point(t.Dimension, 5);
        var g = Point(layout.Count, 9);
        double F(double[] x)
        {
            var psi = new double[layout.Count];
            t.ToPsi(x, psi);
            return psi.Zip(g, (a, b) => a * b).Sum();
        }
        var grad = new double[t.Dimension];
        t.AddPullBack(z, g, grad);
        for (int i = 0; i < t.Dimension; i++)
        {
            double h = 1e-6;
            var plus = (double[])z.Clone();
            var minus = (double[])z.Clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (F(plus) - F(minus)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) < 1e-7 * (1 + Math.Abs(fd)), $"z[{i}]: analytic {grad[i]:R}, difference {fd:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void CovarianceIsDiagSdTimesCorrelationAndTheMapInverts(int p, int q, bool correlated, bool dispersion, double power)
    {
        var t = Transform(p, q, correlated, dispersion, power, out var layout);
        var z = Point(t.Dimension, 7);
        var psi = new double[layout.Count];
        t.ToPsi(z, psi);
        var values = new double[t.Dimension];
        t.Constrained(z, values);
        var lambda = layout.Lambda(psi);
        // Lambda Lambda' against diag(sd) R diag(sd), R from the reported correlations.
        var r = new double[q, q];
        int k = p + q;
        for (int i = 0; i < q; i++) r[i, i] = 1;
        if (t.CorrelationCount > 0)
            for (int i = 1; i < q; i++)
                for (int j = 0; j < i; j++) r[i, j] = r[j, i] = values[k++];
        for (int i = 0; i < q; i++)
            for (int j = 0; j < q; j++)
            {
                double cov = 0;
                for (int m = 0; m < q; m++) cov += lambda[i, m] * lambda[j, m];
                Assert.Equal(values[p + i] * values[p + j] * r[i, j], cov, 12);
            }
        if (dispersion) Assert.Equal(Math.Exp(power * z[^1]), values[^1], 12);
        Assert.Equal(z, t.FromPsi(psi, 1e-8), new ToleranceComparer(1e-10));
    }

    /// <summary>For two effects the correlation r = tanh(y) has LKJ(eta) density proportional to (1 - r^2)^(eta - 1), and
    /// dr/dy = 1 - r^2: the log density in y is eta log(1 - r^2) plus a constant.</summary>
    [Fact]
    public void TwoEffectsLkjDensityInTheUnconstrainedScale()
    {
        var t = Transform(1, 2, true, false, 1, out _);
        var grad = new double[t.Dimension];
        double At(double y) => t.LogPrior([0.3, -0.2, 0.4, y], grad);
        foreach (var y in new[] { -1.3, 0.2, 0.9 })
        {
            double r = Math.Tanh(y), r0 = Math.Tanh(0.1);
            Assert.Equal(2.5 * (Math.Log(1 - r * r) - Math.Log(1 - r0 * r0)), At(y) - At(0.1), 12);
        }
    }

    /// <summary>The log posterior through a real engine (Laplace and AGQ): gradient against differences of its value.</summary>
    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, true, 1)]
    [InlineData(FamilyKind.Poisson, LinkKind.Log, 2, true, 1)]
    [InlineData(FamilyKind.Gaussian, LinkKind.Identity, 2, true, 3)]
    [InlineData(FamilyKind.Gamma, LinkKind.Log, 1, true, 1)]
    public void LogPosteriorGradientMatchesFiniteDifferences(FamilyKind family, LinkKind link, int q, bool correlated, int nodes)
    {
        var frame = SyntheticFrames.Create(family, link, groups: 20, perGroup: 6, q, correlated, seed: 5 + q);
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        var t = Transform(frame.P, q, correlated, data.Layout.HasDispersion, family == FamilyKind.Gamma ? -0.5 : 1, out _);
        var density = new PosteriorDensity(engine, t, evaluateTogether: true);
        var z = new double[t.Dimension];
        z[0] = 0.2;
        for (int j = 0; j < q; j++) z[t.SdOffset + j] = Math.Log(0.7);
        if (t.CorrelationCount > 0) z[t.CorrelationOffset] = 0.3;
        if (data.Layout.HasDispersion) z[t.DispersionIndex] = Math.Log(1.3);
        var central = new double[data.Layout.Count];
        t.ToPsi(z, central);
        engine.Evaluate(central, new double[central.Length]);
        double LogPost(double[] x, double[] g)
        {
            var request = new EvaluationRequest(t.Dimension);
            x.CopyTo(request.Position, 0);
            density.Evaluate([request]);
            request.Gradient.CopyTo(g, 0);
            return request.LogDensity;
        }
        var grad = new double[t.Dimension];
        Assert.True(double.IsFinite(LogPost(z, grad)));
        var scratch = new double[t.Dimension];
        for (int i = 0; i < t.Dimension; i++)
        {
            double h = 1e-5;
            var plus = (double[])z.Clone();
            var minus = (double[])z.Clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (LogPost(plus, scratch) - LogPost(minus, scratch)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) < 1e-5 * (1 + Math.Abs(fd)), $"z[{i}]: analytic {grad[i]:R}, difference {fd:R}");
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double x) => 0;
    }
}

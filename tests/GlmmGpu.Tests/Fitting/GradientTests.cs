using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines.Ilgpu;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>The exact gradient of the Laplace/AGQ log-likelihood against central differences of its value.</summary>
public class GradientTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (int nodes in new[] { 1, 5 })
        {
            yield return new object[] { FamilyKind.Binomial, LinkKind.Logit, 1, true, nodes };
            yield return new object[] { FamilyKind.Binomial, LinkKind.Logit, 2, true, nodes };
            yield return new object[] { FamilyKind.Binomial, LinkKind.Probit, 1, true, nodes };
            yield return new object[] { FamilyKind.Binomial, LinkKind.Cloglog, 2, false, nodes };
            yield return new object[] { FamilyKind.Poisson, LinkKind.Log, 2, true, nodes };
            yield return new object[] { FamilyKind.Poisson, LinkKind.Log, 3, true, nodes };
            yield return new object[] { FamilyKind.Poisson, LinkKind.Sqrt, 1, true, nodes };
            yield return new object[] { FamilyKind.Gaussian, LinkKind.Identity, 2, true, nodes };
            yield return new object[] { FamilyKind.Gaussian, LinkKind.Log, 1, true, nodes };
            yield return new object[] { FamilyKind.Gamma, LinkKind.Log, 1, true, nodes };
            yield return new object[] { FamilyKind.Gamma, LinkKind.Log, 2, false, nodes };
            yield return new object[] { FamilyKind.NegativeBinomial, LinkKind.Log, 1, true, nodes };
            yield return new object[] { FamilyKind.InverseGaussian, LinkKind.Log, 1, true, nodes };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnalyticGradientMatchesFiniteDifferences(FamilyKind family, LinkKind link, int q, bool correlated, int nodes)
    {
        var frame = SyntheticFrames.Create(family, link, groups: 25, perGroup: 6, q, correlated, seed: 11 + q);
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        var layout = data.Layout;
        var psi = new double[layout.Count];
        psi[0] = 0.2; psi[1] = 0.4; psi[2] = -0.3;
        for (int k = 0; k < layout.ThetaCount; k++)
            psi[layout.ThetaOffset + k] = layout.IsThetaDiagonal(k) ? 0.6 + 0.1 * k : 0.15;
        if (layout.HasDispersion) psi[layout.DispersionIndex] = Math.Log(family == FamilyKind.InverseGaussian ? 0.05 : 1.5);
        var grad = new double[layout.Count];
        double ll = engine.Evaluate(psi, grad);
        Assert.True(double.IsFinite(ll));
        for (int i = 0; i < layout.Count; i++)
        {
            double h = 1e-5;
            var plus = (double[])psi.Clone();
            var minus = (double[])psi.Clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (engine.Evaluate(plus, Span<double>.Empty) - engine.Evaluate(minus, Span<double>.Empty)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) < 1e-5 * (1 + Math.Abs(fd)),
                $"parameter {i}: analytic {grad[i]:R}, finite difference {fd:R}");
        }
    }
}

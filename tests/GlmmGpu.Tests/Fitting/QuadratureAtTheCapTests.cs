using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Tests.Reference;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>
/// AGQ with the most nodes a fit accepts gives the fit of fewer nodes, and grids too large to evaluate are refused
/// before any work. At 200 nodes the grouseticks fit had reported "converged" with a BROOD variance of 16189 and
/// log-likelihood -9027, from a rule whose nodes had all collapsed onto the largest root.
/// </summary>
public class QuadratureAtTheCapTests
{
    [Theory]
    [InlineData("grouseticks_agq30_ml", 199)]
    [InlineData("grouseticks_agq30_ml", QuadratureLimits.MaxNodesPerEffect)]
    [InlineData("cbpp_agq30_ml", QuadratureLimits.MaxNodesPerEffect)]
    public void FitAtTheCapAgreesWithTheIndependentThirtyNodeFit(string name, int nodes)
    {
        var reference = new ReferenceCase(name);
        var fit = reference.Fit(FitMethod.Agq, nodes);
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.True(Math.Abs(fit.LogLik!.Value - reference.LogLik) < 2e-3, $"{nodes} nodes: logLik {fit.LogLik:R}, reference {reference.LogLik:R}");
        foreach (var (term, expected) in reference.Named("fixef"))
        {
            var c = fit.FixedEffects.Single(f => f.Name == term);
            Assert.True(Math.Abs(c.Estimate - expected) < 2e-3, $"{term}: {c.Estimate:R} vs {expected:R}");
            Assert.True(double.IsFinite(c.StdError) && c.StdError > 0, $"{term}: SE {c.StdError:R}");
        }
        foreach (var (term, expected) in reference.Sds())
            Assert.InRange(fit.VarCorr[0].Sd[Array.IndexOf(fit.VarCorr[0].TermNames, term)], 0.99 * expected, 1.01 * expected);
    }

    [Fact]
    public void MoreNodesThanTheCapAreRefused()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 10, perGroup: 5, q: 1, correlated: true, seed: 6);
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(frame, new FitOptions { Method = FitMethod.Agq, NAgq = QuadratureLimits.MaxNodesPerEffect + 1 }));
        Assert.Equal("--nagq 201 is more than the 200 quadrature nodes per random effect glmm accepts", e.Message);
    }

    [Fact]
    public void AGridOfTooManyPointsIsRefusedBeforeAnyWork()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 10, perGroup: 5, q: 3, correlated: true, seed: 6);
        string term = frame.RandomEffects[0].Term.ToString();
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(frame, new FitOptions { Method = FitMethod.Agq, NAgq = 47 }));
        Assert.Equal($"--nagq 47 with the 3 random effects of {term} makes 47^3 = 103823 quadrature points per group, more than the " +
            "100000 glmm evaluates (each point is a pass over the group's rows in every evaluation); use --nagq 46 or fewer, or --method laplace", e.Message);
    }

    [Fact]
    public void TheLargestGridsAllowedPassTheCheck()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 10, perGroup: 5, q: 2, correlated: true, seed: 6);
        QuadratureLimits.Check(QuadratureLimits.MaxNodesPerEffect, frame.RandomEffects[0]);
        var frame3 = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 10, perGroup: 5, q: 3, correlated: true, seed: 6);
        QuadratureLimits.Check(46, frame3.RandomEffects[0]);
    }
}

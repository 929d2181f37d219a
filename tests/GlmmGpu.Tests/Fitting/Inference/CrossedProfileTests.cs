using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Inference;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Inference;

/// <summary>
/// Profile intervals with several grouping factors against lme4's <c>confint(m, oldNames = FALSE)</c>
/// (Fixtures/scripts/crossed_inference.R): penicillin's crossed intercepts (lmer ML), a correlated slope beside a crossed
/// intercept (lmer ML), grouseticks' three factors (glmer Laplace). Every end within 1e-3 of lme4's, as for one factor
/// (lme4 interpolates splines through its profile; the ends here are solved for on the refits).
/// </summary>
public class CrossedProfileTests
{
    private static ConfidenceIntervals AssertMatchesLme4(InferenceCases.Case c, double tolerance = 1e-3)
    {
        var ci = c.Intervals(new IntervalOptions { Method = IntervalMethod.Profile });
        var ours = InferenceCases.ByName(ci);
        int compared = 0;
        foreach (var expected in c.Reference.GetProperty("profile").EnumerateObject())
        {
            Assert.True(ours.ContainsKey(expected.Name), $"no interval named {expected.Name}");
            var interval = ours[expected.Name];
            Assert.True(Math.Abs(interval.Lower - expected.Value[0].GetDouble()) < tolerance, $"{c.Name} {expected.Name} lower {interval.Lower} vs lme4 {expected.Value[0].GetDouble()}");
            Assert.True(Math.Abs(interval.Upper - expected.Value[1].GetDouble()) < tolerance, $"{c.Name} {expected.Name} upper {interval.Upper} vs lme4 {expected.Value[1].GetDouble()}");
            compared++;
        }
        Assert.Equal(ours.Count, compared);
        Assert.True(ci.Refits > 0);
        return ci;
    }

    [Fact]
    public void PenicillinCrossedInterceptsMatchLme4()
    {
        var ci = AssertMatchesLme4(InferenceCases.Make("penicillin_crossed_ml_inference", FamilyKind.Gaussian, FitMethod.Ml));
        Assert.Empty(ci.Notes);
    }

    [Fact]
    public void CorrelatedSlopeBesideACrossedInterceptMatchesLme4()
    {
        var ci = AssertMatchesLme4(InferenceCases.Make("sim_crossed_slope_ml_confint", FamilyKind.Gaussian, FitMethod.Ml));
        Assert.Equal(["subj", "item"], ci.VarCorr.Select(v => v.Factor));
        Assert.True(ci.VarCorr[0].Corr[0].IsAvailable);
    }

    /// <summary>As lme4's, the REML fit's profile is the ML deviance's: the same intervals, and a note says so.</summary>
    [Fact]
    public void RemlFitIsProfiledOnTheMlDeviance()
    {
        var ml = InferenceCases.Make("sim_crossed_slope_ml_confint", FamilyKind.Gaussian, FitMethod.Ml);
        var reml = InferenceCases.Make("sim_crossed_slope_ml_confint", FamilyKind.Gaussian, FitMethod.Reml);
        Assert.NotEqual(ml.Fit.VarCorr[0].Sd[0], reml.Fit.VarCorr[0].Sd[0], 4);
        var a = InferenceCases.ByName(ml.Intervals(new IntervalOptions { Method = IntervalMethod.Profile }));
        var bIntervals = reml.Intervals(new IntervalOptions { Method = IntervalMethod.Profile });
        var b = InferenceCases.ByName(bIntervals);
        foreach (var (name, interval) in a)
        {
            Assert.Equal(interval.Lower, b[name].Lower, 6);
            Assert.Equal(interval.Upper, b[name].Upper, 6);
        }
        Assert.Contains(bIntervals.Notes, n => n.Contains("ML deviance"));
    }

    [Fact]
    public void GrouseticksThreeFactorsLaplaceMatchesLme4()
    {
        var ci = AssertMatchesLme4(InferenceCases.Make("grouseticks_crossed_inference", FamilyKind.Poisson, FitMethod.Laplace));
        // Location's SD reaches zero within the interval: its lower end is the bound, as lme4's.
        Assert.Equal(0.0, InferenceCases.ByName(ci)["sd_(Intercept)|LOCATION"].Lower);
    }
}

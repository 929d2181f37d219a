using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Inference;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Inference;

/// <summary>
/// The parametric bootstrap against lme4's <c>bootMer</c> (Fixtures/inference/*_inference.json, section boot: percentile intervals
/// and bootstrap SDs, seed 20261204; different random streams from ours, so only Monte Carlo agreement is possible).
/// The Monte Carlo error of a 2.5% percentile from R replicates of a statistic with bootstrap SD s is, for a roughly
/// normal statistic, sqrt(0.025 * 0.975 / R) / phi(1.96) s = 2.67 s / sqrt(R) (0.084 s at R = 1000); two independent
/// runs of R1 and R2 replicates differ with SD 2.67 s sqrt(1/R1 + 1/R2), and the test allows four of those. A bootstrap
/// SD's own error is s sqrt((kappa - 1) / 4R), kappa the statistic's kurtosis (taken from our replicates: fixed effects
/// near separation have heavy tails); the test allows four of the two runs' combined error.
/// cbpp's period4 is the exception: bootMer's SD of it (0.573) is one replicate's doing, in which no period-4 case was
/// drawn and glmer stopped near -19 (Fixtures/scripts/bootmer_cbpp_tails.R, run again with the reference's seed: one
/// replicate at -19.1 of 1000, SD 0.691 with it and 0.415 without). Its SD is held against 0.415 over the replicates
/// here that are not separated (period4 above -5), its percentile interval as the others'.
/// </summary>
public class BootstrapIntervalTests
{
    private const double Allowed = 4.0;

    private static void AssertWithinMonteCarloError(InferenceCases.Case c, ConfidenceIntervals ci, Dictionary<string, string> names,
        Dictionary<string, (double Sd, double Above)>? separatedSds = null)
    {
        int theirs = c.Reference.GetProperty("boot").GetProperty("nsim").GetInt32();
        int ours = ci.ReplicatesUsed;
        var rows = GlmmGpu.Results.ConfintRows.Of(ci).Select((r, k) => (r, k)).ToDictionary(x => x.r.Name);
        var order = StatisticOrder(ci);
        foreach (var (refName, ourName) in names)
        {
            var expected = c.Reference.GetProperty("boot").GetProperty("percentile").GetProperty(refName);
            double s = c.Reference.GetProperty("boot").GetProperty("sd").GetProperty(refName).GetDouble();
            var row = rows[ourName].r;
            double quantileError = 2.67 * s * Math.Sqrt(1.0 / ours + 1.0 / theirs);
            Assert.True(Math.Abs(row.Interval.Lower - expected[0].GetDouble()) < Allowed * quantileError,
                $"{refName} lower {row.Interval.Lower} vs bootMer {expected[0].GetDouble()} (MC error {quantileError:G3})");
            Assert.True(Math.Abs(row.Interval.Upper - expected[1].GetDouble()) < Allowed * quantileError,
                $"{refName} upper {row.Interval.Upper} vs bootMer {expected[1].GetDouble()} (MC error {quantileError:G3})");
            var values = ci.ReplicateStatistics!.Select(e => e[order[ourName]]).ToArray();
            double sd = row.BootstrapSd;
            if (separatedSds is not null && separatedSds.TryGetValue(refName, out var kept))
            {
                values = values.Where(v => v > kept.Above).ToArray();
                sd = Sd(values);
                s = kept.Sd;
            }
            double kurtosis = Kurtosis(values);
            double sdError = s * Math.Sqrt((kurtosis - 1) / 4 * (1.0 / ours + 1.0 / theirs));
            Assert.True(Math.Abs(sd - s) < Allowed * sdError,
                $"{refName} bootstrap SD {sd} vs bootMer {s} (MC error {sdError:G3}, kurtosis {kurtosis:G3})");
        }
    }

    /// <summary>The index of each named statistic in the replicates' vectors (fixed effects, SDs, correlations, dispersion).</summary>
    private static Dictionary<string, int> StatisticOrder(ConfidenceIntervals ci)
    {
        var order = new Dictionary<string, int>();
        int k = 0;
        foreach (var name in ci.FixedNames) order[name] = k++;
        foreach (var v in ci.VarCorr)
        {
            foreach (var term in v.TermNames) order[$"sd_{term}|{v.Factor}"] = k++;
            for (int i = 1; i < v.TermNames.Length && v.Corr.Length > 0; i++)
                for (int j = 0; j < i; j++) order[$"cor_{v.TermNames[i]}.{v.TermNames[j]}|{v.Factor}"] = k++;
        }
        if (ci.DispersionName is { } dispersion) order[dispersion] = k;
        return order;
    }

    private static double Sd(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }

    private static double Kurtosis(double[] x)
    {
        double mean = x.Average(), m2 = x.Sum(v => (v - mean) * (v - mean)) / x.Length, m4 = x.Sum(v => Math.Pow(v - mean, 4)) / x.Length;
        return m4 / (m2 * m2);
    }

    [Fact]
    public void CbppThousandReplicatesAgreeWithBootMer()
    {
        var c = InferenceCases.Cbpp;
        var ci = c.Intervals(new IntervalOptions { Method = IntervalMethod.Bootstrap, Replicates = 1000, Seed = 20261204 });
        Assert.Equal(1000, ci.Replicates);
        Assert.True(ci.ReplicatesUsed >= 990);
        AssertWithinMonteCarloError(c, ci, new()
        {
            ["(Intercept)"] = "(Intercept)", ["period2"] = "period2", ["period3"] = "period3", ["period4"] = "period4",
            ["herd.(Intercept)"] = "sd_(Intercept)|herd",
        }, new() { ["period4"] = (0.4146538, -5.0) });
    }

    [Fact]
    public void SleepstudyFiveHundredReplicatesAgreeWithBootMer()
    {
        var c = InferenceCases.SleepstudyMl;
        var ci = c.Intervals(new IntervalOptions { Method = IntervalMethod.Bootstrap, Replicates = 500, Seed = 20261204 });
        Assert.Equal(500, ci.ReplicatesUsed);
        AssertWithinMonteCarloError(c, ci, new()
        {
            ["(Intercept)"] = "(Intercept)", ["Days"] = "Days",
            ["Subject.(Intercept)"] = "sd_(Intercept)|Subject", ["Subject.Days"] = "sd_Days|Subject",
        });
        Assert.NotNull(ci.Dispersion);
    }

    /// <summary>Several grouping factors: penicillin's crossed plate and sample (lmer ML), against bootMer's 1000
    /// replicates (Fixtures/scripts/crossed_inference.R).</summary>
    [Fact]
    public void PenicillinCrossedThousandReplicatesAgreeWithBootMer()
    {
        var c = InferenceCases.Make("penicillin_crossed_ml_inference", FamilyKind.Gaussian, FitMethod.Ml);
        var ci = c.Intervals(new IntervalOptions { Method = IntervalMethod.Bootstrap, Replicates = 1000, Seed = 20261205 });
        Assert.Equal(1000, ci.ReplicatesUsed);
        Assert.Equal(["plate", "sample"], ci.VarCorr.Select(v => v.Factor).Order());
        var names = new[] { "(Intercept)", "sd_(Intercept)|plate", "sd_(Intercept)|sample", "sigma" };
        AssertWithinMonteCarloError(c, ci, names.ToDictionary(n => n));
    }

    /// <summary>Three grouping factors in a Poisson GLMM (glmer, Laplace): grouseticks with an observation-level
    /// effect beside brood and location, 300 of our replicates against bootMer's 500. Location's SD is near zero in a
    /// good share of replicates, so its lower end is a boundary, held as the others are.</summary>
    [Fact]
    public void GrouseticksThreeFactorsAgreeWithBootMer()
    {
        var c = InferenceCases.Make("grouseticks_crossed_inference", FamilyKind.Poisson, FitMethod.Laplace);
        var ci = c.Intervals(new IntervalOptions { Method = IntervalMethod.Bootstrap, Replicates = 300, Seed = 20261205 });
        Assert.True(ci.ReplicatesUsed >= 297, $"{ci.ReplicatesUsed} of 300 replicates used");
        var names = new[] { "(Intercept)", "YEAR96", "YEAR97", "cHEIGHT", "sd_(Intercept)|INDEX", "sd_(Intercept)|BROOD", "sd_(Intercept)|LOCATION" };
        AssertWithinMonteCarloError(c, ci, names.ToDictionary(n => n));
    }

    [Fact]
    public void SameSeedSameIntervalsWhateverTheThreads()
    {
        var one = InferenceCases.Make("cbpp_inference", FamilyKind.Binomial, FitMethod.Laplace, threads: 1);
        var two = InferenceCases.Make("cbpp_inference", FamilyKind.Binomial, FitMethod.Laplace, threads: 2);
        var options = new IntervalOptions { Method = IntervalMethod.Bootstrap, Replicates = 40, Seed = 7 };
        var a = one.Intervals(options);
        var b = two.Intervals(options);
        Assert.Equal(a.ReplicateStatistics!.SelectMany(v => v), b.ReplicateStatistics!.SelectMany(v => v));
        var other = one.Intervals(options with { Seed = 8 });
        Assert.NotEqual(a.Fixef[0], other.Fixef[0]);
    }

    [Fact]
    public void SameSeedSameIntervalsWhateverTheDevice()
    {
        var c = InferenceCases.Cbpp;
        var options = new IntervalOptions { Method = IntervalMethod.Bootstrap, Replicates = 20, Seed = 9 };
        var cpu = Glmm.Confint(c.Frame, c.Fit, options, c.Options);
        var device = Glmm.Confint(c.Frame, c.Fit, options, c.Options with { Execution = new GlmmGpu.Engines.ExecutionOptions { Device = GlmmGpu.Engines.DeviceChoice.IlgpuCpu } });
        Assert.Equal(cpu.ReplicateStatistics!.SelectMany(v => v), device.ReplicateStatistics!.SelectMany(v => v));
    }

    [Fact]
    public void PercentileFollowsBootCi()
    {
        // boot.ci(type = "perc") with R = 9 replicates 1..9: (R + 1) 0.05 = 0.5 is below the first order statistic, so
        // the smallest; (R + 1) 0.5 = 5 is whole, the 5th; (R + 1) 0.25 = 2.5 interpolates on the normal scale.
        var sorted = Enumerable.Range(1, 9).Select(i => (double)i).ToArray();
        Assert.Equal(1, ParametricBootstrap.Percentile(sorted, 0.05));
        Assert.Equal(5, ParametricBootstrap.Percentile(sorted, 0.5));
        double z = NormalQuantile.Of(0.25), lo = NormalQuantile.Of(0.2), hi = NormalQuantile.Of(0.3);
        Assert.Equal(2 + (z - lo) / (hi - lo), ParametricBootstrap.Percentile(sorted, 0.25), 12);
    }
}

using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Inference;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Tests.Fitting.Inference;

/// <summary>The two inference references (lme4 1.1.31: cbpp by glmer's Laplace, sleepstudy by lmer's ML), their
/// frames and fits here, made once per test run.</summary>
internal static class InferenceCases
{
    public sealed record Case(string Name, JsonElement Reference, ModelFrame Frame, FitResult Fit, FitOptions Options)
    {
        public ConfidenceIntervals Intervals(IntervalOptions options) => Glmm.Confint(Frame, Fit, options, Options);

        /// <summary>lme4's interval of <paramref name="name"/> in the reference's section (e.g. profile).</summary>
        public (double Lower, double Upper) Expected(string section, string name)
        {
            var pair = Reference.GetProperty(section).GetProperty(name);
            return (pair[0].GetDouble(), pair[1].GetDouble());
        }
    }

    private static readonly Lazy<Case> CbppCase = new(() => Make("cbpp_inference", FamilyKind.Binomial, FitMethod.Laplace));
    private static readonly Lazy<Case> SleepstudyCase = new(() => Make("sleepstudy_ml_inference", FamilyKind.Gaussian, FitMethod.Ml));

    public static Case Cbpp => CbppCase.Value;
    public static Case SleepstudyMl => SleepstudyCase.Value;

    public static Case Make(string name, FamilyKind family, FitMethod method, int threads = 0)
    {
        // Under Fixtures/inference/: the reference fits' tests read every JSON at the top of Fixtures as a fit.
        var reference = Fixtures.Json(Path.Combine("inference", name + ".json"));
        var data = CsvLoader.Load(Fixtures.Path(reference.GetProperty("data").GetString()!));
        var options = new FitOptions { Method = method, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads } };
        var frame = Glmm.Frame(data, new ModelSpec(reference.GetProperty("formula").GetString()!, family), options.Execution.Parallel);
        return new Case(name, reference, frame, Glmm.Fit(frame, options), options);
    }

    /// <summary>The intervals by lme4's names (<c>sd_TERM|FACTOR</c>, <c>cor_A.B|FACTOR</c>, <c>sigma</c>, fixed effects).</summary>
    public static Dictionary<string, Interval> ByName(ConfidenceIntervals ci) =>
        GlmmGpu.Results.ConfintRows.Of(ci).ToDictionary(r => r.Name, r => r.Interval);
}

using System.Text.Json;
using GlmmGpu.Fitting.Bayes;

namespace GlmmGpu.Results;

/// <summary>
/// A Bayesian fit's <c>posterior</c> section, laid out as the fit's own: <c>fixef: {NAME: S}</c>, <c>varcorr: {FACTOR:
/// {sd: {TERM: S}, corr: [S]}}</c> (every grouping factor), <c>dispersion: S</c> (or null), where each S holds <c>mean, sd, q2.5, q50, q97.5,
/// mcse, ess_bulk, ess_tail, rhat</c> (a correlation's also <c>terms</c>); then the priors, the sampler's record and
/// its warnings (a grid fit writes its record, <see cref="GridJson"/>, in the sampler's place). NaN (a constant quantity's
/// R-hat, a grid fit's ESS and R-hat) is written as null.
/// </summary>
public static class PosteriorJson
{
    public static void Write(PosteriorResult p, Utf8JsonWriter w)
    {
        w.WriteStartObject("posterior");
        w.WriteStartObject("fixef");
        foreach (var s in p.Fixef) Summary(w, s.Name, s);
        w.WriteEndObject();
        w.WriteStartObject("varcorr");
        // Keyed as the fit's varcorr is: a factor with several terms gets g, g.1, ...
        foreach (var (component, key) in p.VarCorr.Zip(FitResultJson.UniqueNames(p.VarCorr.Select(v => v.Factor))))
        {
            w.WriteStartObject(key);
            w.WriteStartObject("sd");
            foreach (var s in component.Sd) Summary(w, s.Name, s);
            w.WriteEndObject();
            w.WriteStartArray("corr");
            foreach (var c in component.Corr)
            {
                w.WriteStartObject();
                w.WriteStartArray("terms");
                w.WriteStringValue(c.Term1);
                w.WriteStringValue(c.Term2);
                w.WriteEndArray();
                Fields(w, c.Summary);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        if (p.Dispersion is { } d)
        {
            w.WriteStartObject("dispersion");
            w.WriteString("name", d.Name);
            Fields(w, d);
            w.WriteEndObject();
        }
        else w.WriteNull("dispersion");
        w.WriteStartArray("priors");
        foreach (var line in p.Priors) w.WriteStringValue(line);
        w.WriteEndArray();
        if (p.Sampler is { } sampler) WriteSampler(sampler, w);
        if (p.Grid is { } grid) GridJson.Write(grid, w);
        w.WriteStartArray("warnings");
        foreach (var m in p.Warnings) w.WriteStringValue(m);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSampler(SamplerRecord s, Utf8JsonWriter w)
    {
        w.WriteStartObject("sampler");
        w.WriteString("algorithm", "NUTS (multinomial, generalised U-turn)");
        w.WriteNumber("chains", s.Chains);
        w.WriteNumber("warmup", s.Settings.Warmup);
        w.WriteNumber("draws_per_chain", s.Settings.Samples);
        w.WriteNumber("seed", s.Seed);
        w.WriteString("metric", s.Metric);
        Number(w, "adapt_delta", s.Settings.TargetAcceptance);
        w.WriteNumber("max_treedepth", s.Settings.MaxTreeDepth);
        Array(w, "stepsize", s.StepSizes);
        Array(w, "mean_accept_stat", s.MeanAcceptance);
        Array(w, "ebfmi", s.Ebfmi);
        Array(w, "divergent", s.Divergences.Select(v => (double)v));
        Array(w, "divergent_warmup", s.WarmupDivergences.Select(v => (double)v));
        Array(w, "max_treedepth_hits", s.MaxTreeDepthHits.Select(v => (double)v));
        w.WriteNumber("leapfrogs", s.Leapfrogs);
        w.WriteNumber("evaluations", s.Evaluations);
        Number(w, "seconds", s.SamplingSeconds);
        w.WriteStartArray("inverse_metric");
        foreach (var chain in s.InverseMetricDiagonals)
        {
            w.WriteStartArray();
            foreach (var v in chain) Number(w, v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter w, string name, PosteriorSummary s)
    {
        w.WriteStartObject(name);
        Fields(w, s);
        w.WriteEndObject();
    }

    private static void Fields(Utf8JsonWriter w, PosteriorSummary s)
    {
        Number(w, "mean", s.Mean);
        Number(w, "sd", s.Sd);
        Number(w, "q2.5", s.Q2_5);
        Number(w, "q50", s.Q50);
        Number(w, "q97.5", s.Q97_5);
        Number(w, "mcse", s.Mcse);
        Number(w, "ess_bulk", s.EssBulk);
        Number(w, "ess_tail", s.EssTail);
        Number(w, "rhat", s.Rhat);
    }

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) Number(w, v);
        w.WriteEndArray();
    }

    internal static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    internal static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }
}

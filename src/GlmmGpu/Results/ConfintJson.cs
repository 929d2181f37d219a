using System.Text.Json;
using GlmmGpu.Fitting.Inference;

namespace GlmmGpu.Results;

/// <summary>
/// Intervals as the fit's JSON holds them: <c>"confint": {"method", "level", "fixef": {NAME: [lo, hi]}, "varcorr":
/// {FACTOR: {"sd": {TERM: [lo, hi]}, "corr": [[lo, hi], ...]}}, "sigma": [lo, hi]}</c> (the dispersion under its
/// name: sigma, size or dispersion), and for the bootstrap <c>"nsim"</c>, <c>"used"</c> and <c>"boot_sd"</c> in the
/// same shape; ends not available are null.
/// </summary>
public static class ConfintJson
{
    public static void Write(ConfidenceIntervals ci, Utf8JsonWriter w)
    {
        w.WriteStartObject("confint");
        w.WriteString("method", IntervalMethodNames.Name(ci.Method));
        w.WriteNumber("level", ci.Level);
        w.WriteStartObject("fixef");
        for (int a = 0; a < ci.FixedNames.Count; a++) Pair(w, ci.FixedNames[a], ci.Fixef[a]);
        w.WriteEndObject();
        // Keyed as the fit's varcorr is: a factor with several terms gets g, g.1, ...
        var factorKeys = FitResultJson.UniqueNames(ci.VarCorr.Select(v => v.Factor));
        w.WriteStartObject("varcorr");
        foreach (var (c, key) in ci.VarCorr.Zip(factorKeys))
        {
            w.WriteStartObject(key);
            w.WriteStartObject("sd");
            for (int i = 0; i < c.TermNames.Length; i++) Pair(w, c.TermNames[i], c.Sd[i]);
            w.WriteEndObject();
            w.WriteStartArray("corr");
            foreach (var r in c.Corr) Pair(w, null, r);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        if (ci.Dispersion is { } d) Pair(w, ci.DispersionName ?? "sigma", d);
        if (ci.Method == IntervalMethod.Bootstrap)
        {
            w.WriteNumber("nsim", ci.Replicates);
            w.WriteNumber("used", ci.ReplicatesUsed);
            w.WriteStartObject("boot_sd");
            w.WriteStartObject("fixef");
            for (int a = 0; a < ci.FixedNames.Count; a++) Number(w, ci.FixedNames[a], ci.FixefBootstrapSd![a]);
            w.WriteEndObject();
            w.WriteStartObject("varcorr");
            foreach (var (c, key) in ci.VarCorr.Zip(factorKeys))
            {
                w.WriteStartObject(key);
                w.WriteStartObject("sd");
                for (int i = 0; i < c.TermNames.Length; i++) Number(w, c.TermNames[i], c.SdBootstrapSd![i]);
                w.WriteEndObject();
                w.WriteStartArray("corr");
                foreach (var s in c.CorrBootstrapSd!) Number(w, null, s);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (ci.DispersionBootstrapSd is { } ds) Number(w, ci.DispersionName ?? "sigma", ds);
            w.WriteEndObject();
        }
        if (ci.Method == IntervalMethod.Profile)
        {
            w.WriteNumber("refits", ci.Refits);
            w.WriteNumber("evaluations", ci.Evaluations);
            if (ci.Passes > 0) w.WriteNumber("passes", ci.Passes);
        }
        w.WriteNumber("seconds", ci.Seconds);
        w.WriteStartArray("notes");
        foreach (var n in ci.Notes) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Pair(Utf8JsonWriter w, string? name, Interval interval)
    {
        if (name is null) w.WriteStartArray();
        else w.WriteStartArray(name);
        Value(w, interval.Lower);
        Value(w, interval.Upper);
        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, string? name, double value)
    {
        if (name is not null) w.WritePropertyName(name);
        Value(w, value);
    }

    private static void Value(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }
}

using GlmmGpu.Kernels.Families;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Inference;

namespace GlmmGpu.Results;

/// <summary>
/// Writes a <see cref="FitResult"/> as indented JSON in the layout of the reference fixtures:
/// <c>formula, family, link, method, nAGQ, device, nobs, ngroups, fixef, se, varcorr, dispersion, loglik, npar,
/// deviance, AIC, BIC, converged, singular, iterations, seconds, ranef</c>, <c>condvar</c> (each level's conditional
/// covariance), then <c>levels</c> (the factor
/// levels prediction needs: <c>{factor: [levels]}</c>), <c>residual_sd</c> and <c>REML</c> (the criterion)
/// when set, <c>data</c> (the file read) when given, and <c>messages</c>. Offsets are not saved: prediction evaluates the formula's on new data. Doubles are written so that they read back
/// to the same bits; NaN and infinities are written as null, as are the likelihood-based values of PQL.
/// </summary>
public static class FitResultJson
{
    // Relaxed escaping keeps formulas readable ("y ~ x + (1 | g)", not "\u002B"); the output is a data file,
    // never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON text.</summary>
    public static string ToJson(FitResult result)
    {
        using var stream = new MemoryStream();
        Write(result, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Write to a file (created or replaced), with a final newline; <paramref name="data"/>, the file the
    /// fit read, is saved as <c>data</c> for <c>glmm anova</c>.</summary>
    public static void Write(FitResult result, string path, ConfidenceIntervals? confint = null, DataFileIdentity? data = null)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(result, stream, confint, data);
    }

    /// <summary>Write UTF-8 JSON and a final newline to a stream (left open).</summary>
    public static void Write(FitResult result, Stream stream, ConfidenceIntervals? confint = null, DataFileIdentity? data = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
        {
            Write(result, w, confint, data);
        }
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Write the result as one JSON object to <paramref name="w"/>.</summary>
    /// <param name="confint">Intervals formed after the fit, written as <c>confint</c> (<see cref="ConfintJson"/>) before the messages.</param>
    /// <param name="data">The file the fit read, written as <c>data</c>.</param>
    public static void Write(FitResult r, Utf8JsonWriter w, ConfidenceIntervals? confint = null, DataFileIdentity? data = null)
    {
        w.WriteStartObject();
        w.WriteString("formula", r.Formula);
        w.WriteString("family", FamilyNames.RName(r.Family));
        w.WriteString("link", FamilyNames.RName(r.Link));
        w.WriteString("method", FitMethodNames.Name(r.Method));
        w.WriteNumber("nAGQ", r.NAgq);
        w.WriteString("device", r.Device);
        w.WriteNumber("nobs", r.NObs);

        w.WriteStartObject("ngroups");
        foreach (var (factor, levels) in r.NGroups)
            w.WriteNumber(factor, levels);
        w.WriteEndObject();

        w.WriteStartObject("fixef");
        foreach (var c in r.FixedEffects)
            Number(w, c.Name, c.Estimate);
        w.WriteEndObject();

        w.WriteStartObject("se");
        foreach (var c in r.FixedEffects)
            Number(w, c.Name, c.StdError);
        w.WriteEndObject();

        w.WriteStartObject("varcorr");
        var vcNames = UniqueNames(r.VarCorr.Select(v => v.Factor));
        for (int k = 0; k < r.VarCorr.Count; k++)
        {
            var vc = r.VarCorr[k];
            w.WriteStartObject(vcNames[k]);
            w.WriteStartObject("sd");
            for (int j = 0; j < vc.TermNames.Length; j++)
                Number(w, vc.TermNames[j], j < vc.Sd.Length ? vc.Sd[j] : double.NaN);
            w.WriteEndObject();
            w.WriteStartArray("corr");
            foreach (var c in vc.Corr)
                Number(w, c);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();

        if (r.Dispersion is { } d)
        {
            w.WriteStartObject("dispersion");
            w.WriteString("name", d.Name);
            Number(w, "value", d.Value);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("dispersion");
        }

        Number(w, "loglik", r.LogLik);
        w.WriteNumber("npar", r.ParameterCount);
        Number(w, "deviance", r.Deviance);
        Number(w, "AIC", r.Aic);
        Number(w, "BIC", r.Bic);
        w.WriteBoolean("converged", r.Converged);
        w.WriteBoolean("singular", r.Singular);
        w.WriteNumber("iterations", r.Iterations);
        Number(w, "seconds", r.Seconds);

        w.WriteStartObject("ranef");
        var reNames = UniqueNames(r.Ranef.Select(x => x.Factor));
        for (int k = 0; k < r.Ranef.Count; k++)
        {
            var re = r.Ranef[k];
            w.WriteStartObject(reNames[k]);
            for (int g = 0; g < re.Levels.Length; g++)
            {
                w.WriteStartArray(re.Levels[g]);
                if (g < re.Modes.Length)
                    foreach (var v in re.Modes[g])
                        Number(w, v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        WriteConditionalCovariances(r, reNames, w);

        if (r.FactorLevels is { } factorLevels)
        {
            w.WriteStartObject("levels");
            foreach (var (factor, levels) in factorLevels)
            {
                w.WriteStartArray(factor);
                foreach (var level in levels)
                    w.WriteStringValue(level);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        if (r.ResidualSd is { } rsd)
            Number(w, "residual_sd", rsd);
        if (r.RemlCriterion is { } reml)
            Number(w, "REML", reml);

        if (confint is not null) ConfintJson.Write(confint, w);
        if (data is not null)
            WriteData(data, w);

        w.WriteStartArray("messages");
        foreach (var m in r.Messages)
            w.WriteStringValue(m);
        w.WriteEndArray();
        WriteRecord(r.Record, w);
        if (r.Posterior is { } posterior) PosteriorJson.Write(posterior, w);

        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>
    /// <c>condvar</c>: each level's conditional covariance of its effects (lme4's <c>postVar</c>), q arrays of q
    /// numbers, keyed as <c>ranef</c>; written when every factor has them.
    /// </summary>
    private static void WriteConditionalCovariances(FitResult r, string[] names, Utf8JsonWriter w)
    {
        if (r.Ranef.Count == 0 || r.Ranef.Any(x => x.ConditionalCovariance is null)) return;
        w.WriteStartObject("condvar");
        for (int k = 0; k < r.Ranef.Count; k++)
        {
            var re = r.Ranef[k];
            int q = re.TermNames.Length;
            w.WriteStartObject(names[k]);
            for (int g = 0; g < re.Levels.Length && g < re.ConditionalCovariance!.Length; g++)
            {
                w.WriteStartArray(re.Levels[g]);
                for (int d = 0; d < q; d++)
                {
                    w.WriteStartArray();
                    for (int e = 0; e < q; e++) Number(w, re.ConditionalCovariance[g][d * q + e]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary><c>data</c>: the file the fit read (path as given, name, bytes, SHA-256, rows read).</summary>
    private static void WriteData(DataFileIdentity data, Utf8JsonWriter w)
    {
        w.WriteStartObject("data");
        w.WriteString("path", data.Path);
        w.WriteString("file", data.FileName);
        w.WriteNumber("bytes", data.Bytes);
        w.WriteString("sha256", data.Sha256);
        w.WriteNumber("rows_read", data.RowsRead);
        w.WriteEndObject();
    }

    /// <summary>The fit's record (<see cref="FitRecord"/>): how it got to its estimates.</summary>
    private static void WriteRecord(FitRecord record, Utf8JsonWriter w)
    {
        w.WriteStartObject("record");
        w.WriteString("device_reason", record.DeviceReason);
        w.WriteStartObject("start");
        w.WriteString("kind", record.Start.Kind switch { StartKind.ClusterSample => "cluster_sample", StartKind.Identity => "identity", _ => "glm" });
        w.WriteNumber("sample_clusters", record.Start.SampleClusters);
        w.WriteNumber("sample_evaluations", record.Start.SampleEvaluations);
        w.WriteEndObject();
        w.WriteString("optimizer", record.OptimizerMessage);
        w.WriteNumber("evaluations", record.Evaluations);
        w.WriteNumber("threads", record.Settings.Execution.Threads);
        w.WriteStartArray("initial");
        foreach (var v in record.InitialParameters) Number(w, v);
        w.WriteEndArray();
        w.WriteStartArray("final");
        foreach (var v in record.FinalParameters) Number(w, v);
        w.WriteEndArray();
        w.WriteStartArray("trail");
        foreach (var step in record.Trail)
        {
            w.WriteStartObject();
            w.WriteString("stage", step.Stage);
            w.WriteNumber("iteration", step.Iteration);
            Number(w, "loglik", step.LogLik);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("phases");
        foreach (var phase in record.Phases)
        {
            w.WriteStartObject();
            w.WriteString("phase", phase.Phase);
            Number(w, "seconds", phase.Seconds);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// Names made unique as lme4 does for repeated grouping factors (<c>g</c>, <c>g.1</c>, ...): two
    /// uncorrelated terms on one factor would otherwise give duplicate JSON keys.
    /// </summary>
    internal static string[] UniqueNames(IEnumerable<string> names)
    {
        var list = names.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < list.Length; i++)
        {
            var n = list[i];
            if (seen.Add(n)) continue;
            int k = counts.TryGetValue(n, out var c) ? c : 0;
            string candidate;
            do candidate = $"{n}.{++k}"; while (!seen.Add(candidate));
            counts[n] = k;
            list[i] = candidate;
        }
        return list;
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }
}

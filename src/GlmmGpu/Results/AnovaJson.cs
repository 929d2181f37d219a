using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GlmmGpu.Inference;

namespace GlmmGpu.Results;

/// <summary>
/// An <see cref="AnovaTable"/> as JSON: <c>{"models": [{"file", "name", "formula", "npar", "AIC", "BIC", "logLik",
/// "deviance", "Chisq", "Df", "p"}, ...], "Chisq", "Df", "p", "notes"}</c>, the models in the table's order (by
/// parameter count); each model after the first holds its test against the one before, and the top-level
/// <c>Chisq</c>, <c>Df</c> and <c>p</c> are the last model's (with two fits, the test).
/// </summary>
public static class AnovaJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(AnovaTable table)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
            Write(table, w);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public static void Write(AnovaTable table, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartArray("models");
        foreach (var row in table.Rows)
        {
            var f = row.Fit;
            w.WriteStartObject();
            w.WriteString("file", f.Source);
            w.WriteString("name", f.Name);
            w.WriteString("formula", f.Formula);
            w.WriteNumber("npar", f.ParameterCount);
            w.WriteNumber("AIC", f.Aic);
            w.WriteNumber("BIC", f.Bic);
            w.WriteNumber("logLik", f.LogLik!.Value);
            w.WriteNumber("deviance", f.Deviance);
            Test(w, row);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Test(w, table.Rows[^1]);
        w.WriteStartArray("notes");
        foreach (var note in table.Notes) w.WriteStringValue(note);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Test(Utf8JsonWriter w, AnovaRow row)
    {
        if (row.Chisq is { } chisq) w.WriteNumber("Chisq", chisq); else w.WriteNull("Chisq");
        if (row.Df is { } df) w.WriteNumber("Df", df); else w.WriteNull("Df");
        if (row.P is { } p) w.WriteNumber("p", p); else w.WriteNull("p");
    }
}

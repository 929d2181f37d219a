using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Inference;

/// <summary>
/// Reads the keys a likelihood-ratio test needs from the JSON that <c>glmm fit --json</c> writes: formula, family,
/// link, method, nAGQ, nobs, npar, loglik, fixef, converged and data. A missing or malformed key is an error naming
/// the file and the key.
/// </summary>
public static class ComparedFitJson
{
    public static ComparedFit Read(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) name = name[..^5];
        return FromRoot(SavedFitDocument.Load(path, "fit file"), name, path);
    }

    public static ComparedFit Parse(string json, string name, string source) => FromRoot(SavedFitDocument.Parse(json, source), name, source);

    private static ComparedFit FromRoot(JsonElement root, string name, string source)
    {
        var formula = Text(root, "formula", source);
        int tilde = formula.IndexOf('~');
        var method = Text(root, "method", source);
        if (!FitMethodNames.TryParse(method, out var fitMethod))
            throw new GlmmException($"{source}: 'method' is '{method}', not a method glmm fits");
        return new ComparedFit
        {
            Name = name,
            Source = source,
            Formula = formula,
            Response = tilde > 0 ? formula[..tilde].Trim() : "",
            Family = FamilyNames.ParseFamily(Text(root, "family", source)),
            Link = FamilyNames.ParseLink(Text(root, "link", source)),
            Method = fitMethod,
            NAgq = Integer(root, "nAGQ", source),
            NObs = Integer(root, "nobs", source),
            ParameterCount = root.TryGetProperty("npar", out _) ? Integer(root, "npar", source) : CountParameters(root, source),
            LogLik = root.TryGetProperty("loglik", out var ll) && ll.ValueKind == JsonValueKind.Number ? ll.GetDouble() : null,
            FixedEffects = Required(root, "fixef", source).EnumerateObject().Select(p => p.Name).ToArray(),
            Converged = root.TryGetProperty("converged", out var c) && c.ValueKind == JsonValueKind.True,
            Data = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? DataOf(data, source) : null,
        };
    }

    /// <summary>Files written before <c>npar</c> was saved: fixed effects, SDs, correlations and a dispersion.</summary>
    private static int CountParameters(JsonElement root, string source)
    {
        int count = Required(root, "fixef", source).EnumerateObject().Count();
        foreach (var factor in Required(root, "varcorr", source).EnumerateObject())
        {
            count += factor.Value.GetProperty("sd").EnumerateObject().Count();
            count += factor.Value.GetProperty("corr").GetArrayLength();
        }
        if (root.TryGetProperty("dispersion", out var d) && d.ValueKind == JsonValueKind.Object) count++;
        return count;
    }

    private static DataFileIdentity DataOf(JsonElement data, string source) =>
        new(Text(data, "path", source + " data"), Required(data, "bytes", source + " data").GetInt64(),
            Text(data, "sha256", source + " data"), Integer(data, "rows_read", source + " data"));

    private static JsonElement Required(JsonElement root, string key, string source) => SavedFitDocument.Required(root, key, source);

    private static string Text(JsonElement root, string key, string source)
    {
        var value = Required(root, key, source);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new GlmmException($"{source}: '{key}' must be a string");
    }

    private static int Integer(JsonElement root, string key, string source)
    {
        var value = Required(root, key, source);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw new GlmmException($"{source}: '{key}' must be a whole number");
    }
}

using System.Text.Json;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Specification;

using GlmmGpu.Fitting;

namespace GlmmGpu.Prediction;

/// <summary>
/// Reads the JSON that <c>glmm fit --json</c> writes (<see cref="Results.FitResultJson"/>) back into a
/// <see cref="SavedFit"/>. Only the keys prediction needs are read: formula, family, link, fixef, ranef and
/// levels, and converged when it is there. A null estimate (written for a non-finite value) reads as NaN. A file
/// that is not such a fit is an error naming the key at fault and what it holds instead.
/// </summary>
public static class SavedFitJson
{
    public static SavedFit Read(string path)
    {
        var root = SavedFitDocument.Load(path, "model file");
        return FromRoot(root, $"model file '{path}'");
    }

    public static SavedFit Parse(string json, string source = "the fit's JSON") => FromRoot(SavedFitDocument.Parse(json, source), source);

    private static SavedFit FromRoot(JsonElement root, string source)
    {
        var formula = Text(Required(root, "formula", source), "formula", source);
        try
        {
            FormulaParser.Parse(formula);
        }
        catch (FormulaException e)
        {
            throw new GlmmException($"{source}: its 'formula' does not parse ({e.Message})");
        }
        return new SavedFit
        {
            Formula = formula,
            Family = Name(root, "family", FamilyNames.ParseFamily, source),
            Link = Name(root, "link", FamilyNames.ParseLink, source),
            FixedEffects = Members(Required(root, "fixef", source), "fixef", source)
                .Select(p => KeyValuePair.Create(p.Name, Number(p.Value, $"fixef.{p.Name}", source))).ToList(),
            RandomEffects = Members(Required(root, "ranef", source), "ranef", source)
                .Select(p => new SavedRandomEffects(p.Name, Modes(p.Value, $"ranef.{p.Name}", source))).ToList(),
            FactorLevels = root.TryGetProperty("levels", out var levels) && levels.ValueKind != JsonValueKind.Null
                ? Members(levels, "levels", source).ToDictionary(p => p.Name, p => Strings(p.Value, $"levels.{p.Name}", source), StringComparer.Ordinal)
                : throw new GlmmException($"{source} has no 'levels' (the factor levels prediction needs); write it again with this version of 'glmm fit --json'"),
            Converged = root.TryGetProperty("converged", out var converged) && converged.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? converged.GetBoolean()
                : null,
            Method = root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String
                && FitMethodNames.TryParse(method.GetString()!, out var parsed) ? parsed : null,
        };
    }

    private static JsonElement Required(JsonElement root, string key, string source) => SavedFitDocument.Required(root, key, source);

    private static GlmmException Wrong(string key, string expected, JsonElement value, string source) =>
        new($"{source} is not a fit written by 'glmm fit --json': '{key}' must be {expected}, not {SavedFitDocument.Kind(value)}");

    private static string Text(JsonElement value, string key, string source) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(key, "a string", value, source);

    private static T Name<T>(JsonElement root, string key, Func<string, T> parse, string source)
    {
        var text = Text(Required(root, key, source), key, source);
        try
        {
            return parse(text);
        }
        catch (ArgumentException e)
        {
            throw new GlmmException($"{source} has '{key}' '{text}': {e.Message}");
        }
    }

    private static IEnumerable<JsonProperty> Members(JsonElement value, string key, string source) =>
        value.ValueKind == JsonValueKind.Object ? value.EnumerateObject() : throw Wrong(key, "an object", value, source);

    private static double Number(JsonElement value, string key, string source) => value.ValueKind switch
    {
        JsonValueKind.Null => double.NaN,
        JsonValueKind.Number => value.GetDouble(),
        _ => throw Wrong(key, "a number", value, source),
    };

    private static Dictionary<string, double[]> Modes(JsonElement factor, string key, string source) =>
        Members(factor, key, source).ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.Array
                ? p.Value.EnumerateArray().Select(v => Number(v, $"{key}.{p.Name}", source)).ToArray()
                : throw Wrong($"{key}.{p.Name}", "an array of numbers", p.Value, source),
            StringComparer.Ordinal);

    private static string[] Strings(JsonElement value, string key, string source) =>
        value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Wrong(key, "an array of strings", v, source)).ToArray()
            : throw Wrong(key, "an array of strings", value, source);
}

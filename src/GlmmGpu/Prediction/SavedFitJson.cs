using System.Text.Json;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Prediction;

/// <summary>
/// Reads the JSON that <c>glmm fit --json</c> writes (<see cref="Results.FitResultJson"/>) back into a
/// <see cref="SavedFit"/>. Only the keys prediction needs are read: formula, family, link, fixef, ranef and
/// levels. A null estimate (written for a non-finite value) reads as NaN.
/// </summary>
public static class SavedFitJson
{
    public static SavedFit Read(string path)
    {
        if (Directory.Exists(path))
            throw new GlmmException($"model file '{path}' is a directory, not a fit's JSON");
        if (!File.Exists(path))
            throw new GlmmException($"model file '{path}' not found");
        return Parse(File.ReadAllText(path), $"model file '{path}'");
    }

    public static SavedFit Parse(string json, string source = "the fit's JSON")
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new GlmmException($"{source} is not valid JSON: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new GlmmException($"{source} is not a fit written by 'glmm fit --json': expected a JSON object");
        try
        {
            return new SavedFit
            {
                Formula = Required(root, "formula", source).GetString()!,
                Family = FamilyNames.ParseFamily(Required(root, "family", source).GetString()!),
                Link = FamilyNames.ParseLink(Required(root, "link", source).GetString()!),
                FixedEffects = Required(root, "fixef", source).EnumerateObject()
                    .Select(p => KeyValuePair.Create(p.Name, Number(p.Value))).ToList(),
                RandomEffects = Required(root, "ranef", source).EnumerateObject()
                    .Select(p => new SavedRandomEffects(p.Name, Modes(p.Value))).ToList(),
                FactorLevels = root.TryGetProperty("levels", out var levels)
                    ? levels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(l => l.GetString()!).ToArray(), StringComparer.Ordinal)
                    : throw new GlmmException($"{source} has no 'levels' (the factor levels prediction needs); write it again with this version of 'glmm fit --json'"),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // JsonElement throws InvalidOperationException when a value has the wrong kind; FamilyNames throws ArgumentException.
            throw new GlmmException($"{source} is not a fit written by 'glmm fit --json': {e.Message}");
        }
    }

    private static JsonElement Required(JsonElement root, string key, string source) =>
        root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new GlmmException($"{source} has no '{key}': it is not a fit written by 'glmm fit --json'");

    private static double Number(JsonElement value) => value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();

    private static Dictionary<string, double[]> Modes(JsonElement factor) =>
        factor.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(Number).ToArray(), StringComparer.Ordinal);
}

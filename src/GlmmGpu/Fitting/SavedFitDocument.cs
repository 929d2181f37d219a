using System.Text.Json;

namespace GlmmGpu.Fitting;

/// <summary>
/// The JSON object that <c>glmm fit --json</c> writes, loaded for the commands that read saved fits (predict, anova,
/// ranef): a missing file, a folder, text that is not JSON or JSON that is not an object is an error naming the file.
/// What each command needs of it, its own reader takes.
/// </summary>
public static class SavedFitDocument
{
    /// <param name="noun">What the command calls the file in its messages: <c>model file</c>, <c>fit file</c>.</param>
    public static JsonElement Load(string path, string noun)
    {
        if (Directory.Exists(path))
            throw new GlmmException($"{noun} '{path}' is a directory, not a fit's JSON");
        if (!File.Exists(path))
            throw new GlmmException($"{noun} '{path}' not found");
        return Parse(File.ReadAllText(path), $"{noun} '{path}'");
    }

    /// <param name="source">The text's name in messages.</param>
    public static JsonElement Parse(string json, string source)
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
            throw new GlmmException($"{source} is not a fit written by 'glmm fit --json': it holds {Kind(root)}, not a JSON object");
        return root;
    }

    /// <summary>The value of a key that must be there and not null; otherwise an error naming the key.</summary>
    public static JsonElement Required(JsonElement root, string key, string source) =>
        root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new GlmmException($"{source} has no '{key}': it is not a fit written by 'glmm fit --json'");

    /// <summary>What a JSON value is, in words: <c>a number</c>, <c>an array</c>.</summary>
    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };
}

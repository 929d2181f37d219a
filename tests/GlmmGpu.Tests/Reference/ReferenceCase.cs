using System.Text.Json;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Results;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Reference;

/// <summary>A reference fit from ../shared/reference (copied to Fixtures/) and the fit of the same model here.</summary>
internal sealed class ReferenceCase
{
    public string Name { get; }
    public JsonElement Json { get; }
    public string Formula => Json.GetProperty("formula").GetString()!;
    public string DataFile => Json.GetProperty("data").GetString()!;
    public FamilyKind Family => FamilyNames.ParseFamily(Json.GetProperty("family").GetString()!);
    public LinkKind Link => FamilyNames.ParseLink(Json.GetProperty("link").GetString()!);
    public double LogLik => Json.GetProperty("loglik").GetDouble();

    private static readonly Dictionary<string, DataTable> DataCache = new();

    public ReferenceCase(string name)
    {
        Name = name;
        Json = Fixtures.Json(name + ".json");
    }

    public DataTable Data()
    {
        lock (DataCache)
        {
            if (!DataCache.TryGetValue(DataFile, out var table))
                DataCache[DataFile] = table = CsvLoader.Load(Fixtures.Path(DataFile));
            return table;
        }
    }

    public FitResult Fit(FitMethod method, int nodes) =>
        Glmm.Fit(Data(), new ModelSpec(Formula, Family, Link), new FitOptions { Method = method, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });

    public Dictionary<string, double> Named(string property)
    {
        var d = new Dictionary<string, double>();
        if (!Json.TryGetProperty(property, out var obj) || obj.ValueKind != JsonValueKind.Object) return d;
        foreach (var p in obj.EnumerateObject()) d[p.Name] = p.Value.GetDouble();
        return d;
    }

    /// <summary>SDs by term of the (single) grouping factor.</summary>
    public Dictionary<string, double> Sds()
    {
        var d = new Dictionary<string, double>();
        foreach (var factor in Json.GetProperty("varcorr").EnumerateObject())
            foreach (var p in factor.Value.GetProperty("sd").EnumerateObject()) d[p.Name] = p.Value.GetDouble();
        return d;
    }

    /// <summary>The correlations (R writes one as a scalar, several as an array).</summary>
    public double[] Correlations()
    {
        foreach (var factor in Json.GetProperty("varcorr").EnumerateObject())
        {
            var c = factor.Value.GetProperty("corr");
            return c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().Select(e => e.GetDouble()).ToArray() : new[] { c.GetDouble() };
        }
        return Array.Empty<double>();
    }

    public double? Sigma => Json.TryGetProperty("sigma", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
}

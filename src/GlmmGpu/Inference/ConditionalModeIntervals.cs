using GlmmGpu.Kernels.Numerics;
using System.Text.Json;
using GlmmGpu.Fitting;

namespace GlmmGpu.Inference;

/// <summary>One random effect of one level: its conditional mode, conditional SD and the interval mode ± z SD.</summary>
public sealed record ConditionalModeInterval(string Factor, string Term, string Level, double Mode, double ConditionalSd, double Lower, double Upper);

/// <summary>
/// The conditional modes of a saved fit with their conditional SDs and normal intervals, as lme4 users get them from
/// <c>as.data.frame(ranef(m, condVar = TRUE))</c> (grpvar, term, grp, condval, condsd) and draw them with
/// <c>dotplot</c>. Read from the <c>ranef</c> and <c>condvar</c> of the JSON that <c>glmm fit --json</c> writes; the
/// terms' names from <c>varcorr</c>.
/// </summary>
public static class ConditionalModeIntervals
{
    public static IReadOnlyList<ConditionalModeInterval> Read(string path, double level)
    {
        if (!(level > 0 && level < 1)) throw new GlmmException($"the level must lie strictly between 0 and 1, not {level}");
        var root = SavedFitDocument.Load(path, "fit file");
        if (!root.TryGetProperty("ranef", out var ranef) || ranef.ValueKind != JsonValueKind.Object)
            throw new GlmmException($"{path} has no 'ranef': it is not a fit written by 'glmm fit --json'");
        if (!root.TryGetProperty("condvar", out var condvar) || condvar.ValueKind != JsonValueKind.Object)
            throw new GlmmException($"{path} has no 'condvar' (the conditional variances of the modes): fit it again with this version of 'glmm fit --json'");
        var varcorr = root.GetProperty("varcorr");
        double z = NormalQuantile.Of((1 + level) / 2);
        var rows = new List<ConditionalModeInterval>();
        foreach (var factor in ranef.EnumerateObject())
        {
            var terms = varcorr.TryGetProperty(factor.Name, out var vc) ? vc.GetProperty("sd").EnumerateObject().Select(p => p.Name).ToArray() : [];
            if (!condvar.TryGetProperty(factor.Name, out var factorCovariances))
                throw new GlmmException($"{path}: 'condvar' has no '{factor.Name}'");
            foreach (var levelModes in factor.Value.EnumerateObject())
            {
                var modes = levelModes.Value.EnumerateArray().Select(Number).ToArray();
                if (!factorCovariances.TryGetProperty(levelModes.Name, out var covariance))
                    throw new GlmmException($"{path}: 'condvar.{factor.Name}' has no level '{levelModes.Name}'");
                var covarianceRows = covariance.EnumerateArray().ToArray();
                for (int d = 0; d < modes.Length; d++)
                {
                    double sd = Math.Sqrt(Math.Max(0, Number(covarianceRows[d][d])));
                    var term = d < terms.Length ? terms[d] : $"effect {d + 1}";
                    rows.Add(new ConditionalModeInterval(factor.Name, term, levelModes.Name, modes[d], sd, modes[d] - z * sd, modes[d] + z * sd));
                }
            }
        }
        return rows;
    }

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN;
}

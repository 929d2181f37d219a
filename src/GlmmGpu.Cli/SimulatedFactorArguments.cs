using System.Globalization;
using GlmmGpu.Simulation;

namespace GlmmGpu.Cli;

/// <summary>
/// <c>glmm simulate</c>'s grouping factors from repeated <c>--groups NAME=LEVELS</c> (crossed) and
/// <c>--groups NAME=LEVELS/PARENT</c> (LEVELS levels within each level of PARENT), their intercept SDs from
/// <c>--sd S</c> (every factor) and <c>--sd NAME=S</c>, and random slopes on x1 from <c>--slopes</c> (every factor, half
/// its intercept SD) and <c>--slope-sd NAME=S</c>. A bare <c>--groups G</c> is the single factor g, as before.
/// </summary>
internal static class SimulatedFactorArguments
{
    public const double DefaultSd = 0.8;

    /// <summary>Whether the <c>--groups</c> values name factors (null: the single-factor form, a bare number).</summary>
    public static bool NamesFactors(IReadOnlyList<string> groups)
    {
        bool named = groups.Any(g => g.Contains('='));
        if (named && groups.Any(g => !g.Contains('=')))
            throw new UsageException("option --groups: give either one number of groups, or every factor as NAME=LEVELS (or NAME=LEVELS/PARENT), not both");
        if (!named && groups.Count > 1)
            throw new UsageException("option --groups: several grouping factors are given as NAME=LEVELS, each in its own --groups");
        return named;
    }

    public static List<SimulatedFactor> Parse(IReadOnlyList<string> groups, IReadOnlyList<string> sds, bool slopes, IReadOnlyList<string> slopeSds)
    {
        var factors = new List<SimulatedFactor>();
        foreach (var value in groups)
        {
            var (name, rest) = Split("groups", value);
            string levels = rest;
            string? parent = null;
            int slash = rest.IndexOf('/');
            if (slash >= 0)
            {
                levels = rest[..slash];
                parent = rest[(slash + 1)..].Trim();
                if (parent.Length == 0) throw new UsageException($"option --groups: '{value}' names no factor after '/' (NAME=LEVELS/PARENT)");
            }
            int count = FitCommand.Integer("groups", levels.Trim(), 1, int.MaxValue, $"levels of '{name}'");
            factors.Add(new SimulatedFactor(name, count, parent));
        }

        double common = DefaultSd;
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var value in sds)
        {
            if (value.Contains('='))
            {
                var (name, number) = Split("sd", value);
                byName[Known(factors, "sd", name)] = Sd("sd", number);
            }
            else common = Sd("sd", value);
        }
        var slopeByName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var value in slopeSds)
        {
            var (name, number) = Split("slope-sd", value);
            slopeByName[Known(factors, "slope-sd", name)] = Sd("slope-sd", number);
        }
        return factors.Select(f =>
        {
            double sd = byName.TryGetValue(f.Name, out var s) ? s : common;
            double? slope = slopeByName.TryGetValue(f.Name, out var t) ? t : slopes ? sd / 2 : null;
            return f with { Sd = sd, SlopeSd = slope };
        }).ToList();
    }

    private static (string Name, string Value) Split(string option, string value)
    {
        int eq = value.IndexOf('=');
        if (eq <= 0 || eq == value.Length - 1)
            throw new UsageException($"option --{option}: '{value}' is not NAME=VALUE");
        return (value[..eq].Trim(), value[(eq + 1)..].Trim());
    }

    private static string Known(List<SimulatedFactor> factors, string option, string name) =>
        factors.Any(f => f.Name == name) ? name
            : throw new UsageException($"option --{option}: '{name}' is not a factor of --groups ({string.Join(", ", factors.Select(f => f.Name))})");

    private static double Sd(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double sd) && sd >= 0 && !double.IsInfinity(sd)
            ? sd
            : throw new UsageException($"option --{option} needs a non-negative number, not '{text}'");
}

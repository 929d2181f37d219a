using System.Globalization;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>What a <c>--prior</c> statement applies to: every non-intercept fixed effect (<c>fixef</c>), one coefficient
/// by name (<c>Intercept</c> or <c>(Intercept)</c> for the intercept), every SD (<c>sd</c>), one factor's SDs
/// (<c>sd(herd)</c>), one term's SD (<c>sd(g, x)</c>), correlations (<c>corr</c>, <c>corr(g)</c>), or the dispersion.</summary>
public enum PriorTargetKind { Fixef, Coefficient, Sd, FactorSd, TermSd, Corr, FactorCorr, Dispersion }

/// <summary>One target: its kind, and the factor and term or coefficient it names where it names one.</summary>
public sealed record PriorTarget(PriorTargetKind Kind, string? Factor = null, string? Name = null)
{
    public override string ToString() => Kind switch
    {
        PriorTargetKind.Fixef => "fixef",
        PriorTargetKind.Coefficient => Name!,
        PriorTargetKind.Sd => "sd",
        PriorTargetKind.FactorSd => $"sd({Factor})",
        PriorTargetKind.TermSd => $"sd({Factor}, {Name})",
        PriorTargetKind.Corr => "corr",
        PriorTargetKind.FactorCorr => $"corr({Factor})",
        _ => "dispersion",
    };
}

/// <summary>One <c>--prior "TARGET ~ DISTRIBUTION"</c> statement.</summary>
public sealed record PriorStatement(PriorTarget Target, Prior Prior)
{
    public override string ToString() => $"{Target} ~ {Prior}";
}

/// <summary>
/// Reads <c>--prior</c> statements such as <c>fixef ~ normal(0, 10)</c>, <c>period2 ~ student_t(3, 0, 2.5)</c>,
/// <c>sd(herd) ~ half_normal(0, 1)</c>, <c>corr ~ lkj(2)</c>. Errors (<see cref="GlmmException"/>) quote the statement
/// and name the part at fault. Whether a named coefficient or term exists is checked against the model
/// (<see cref="PriorSet"/>).
/// </summary>
public static class PriorParser
{
    private static readonly (string Name, PriorKind Kind, string Usage)[] Distributions =
    [
        ("normal", PriorKind.Normal, "normal(mu, sigma)"),
        ("student_t", PriorKind.StudentT, "student_t(nu, mu, sigma)"),
        ("cauchy", PriorKind.Cauchy, "cauchy(mu, sigma)"),
        ("half_normal", PriorKind.HalfNormal, "half_normal(0, sigma) or half_normal(sigma)"),
        ("half_t", PriorKind.HalfStudentT, "half_t(nu, 0, sigma) or half_t(nu, sigma)"),
        ("half_cauchy", PriorKind.HalfCauchy, "half_cauchy(0, sigma) or half_cauchy(sigma)"),
        ("exponential", PriorKind.Exponential, "exponential(rate)"),
        ("gamma", PriorKind.Gamma, "gamma(shape, rate)"),
        ("lkj", PriorKind.Lkj, "lkj(eta)"),
    ];

    public static string Name(PriorKind kind) => Distributions.First(d => d.Kind == kind).Name;

    public static PriorStatement Parse(string text)
    {
        int tilde = text.IndexOf('~');
        if (tilde < 0 || text.IndexOf('~', tilde + 1) >= 0)
            throw Error(text, "write one TARGET ~ DISTRIBUTION, e.g. \"fixef ~ normal(0, 10)\" or \"sd(herd) ~ exponential(1)\"");
        var target = ParseTarget(text, text[..tilde].Trim());
        var prior = ParseDistribution(text, text[(tilde + 1)..].Trim());
        bool fits = target.Kind switch
        {
            PriorTargetKind.Fixef or PriorTargetKind.Coefficient => prior.IsReal,
            PriorTargetKind.Corr or PriorTargetKind.FactorCorr => prior.Kind == PriorKind.Lkj,
            _ => prior.IsPositive,
        };
        if (!fits)
        {
            string allowed = target.Kind switch
            {
                PriorTargetKind.Fixef or PriorTargetKind.Coefficient => "normal, student_t or cauchy",
                PriorTargetKind.Corr or PriorTargetKind.FactorCorr => "lkj",
                _ => "half_normal, half_t, half_cauchy, exponential or gamma",
            };
            throw Error(text, $"{Name(prior.Kind)} does not go with {target} (use {allowed})");
        }
        return new PriorStatement(target, prior);
    }

    private static PriorTarget ParseTarget(string text, string t)
    {
        if (t.Length == 0) throw Error(text, "the target before '~' is missing (fixef, a coefficient, sd, sd(g), sd(g, x), corr or dispersion)");
        switch (t)
        {
            case "fixef": return new PriorTarget(PriorTargetKind.Fixef);
            case "sd": return new PriorTarget(PriorTargetKind.Sd);
            case "corr": return new PriorTarget(PriorTargetKind.Corr);
            case "dispersion": return new PriorTarget(PriorTargetKind.Dispersion);
            case "Intercept" or "(Intercept)": return new PriorTarget(PriorTargetKind.Coefficient, Name: "(Intercept)");
        }
        foreach (var (head, kind) in new[] { ("sd", PriorTargetKind.FactorSd), ("corr", PriorTargetKind.FactorCorr) })
        {
            if (!t.StartsWith(head + "(", StringComparison.Ordinal)) continue;
            if (!t.EndsWith(')'))
                throw Error(text, $"'{t}' lacks its closing parenthesis");
            var parts = t[(head.Length + 1)..^1].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Any(p => p.Length == 0))
                throw Error(text, $"'{t}' has an empty name; write {head}(g){(head == "sd" ? " or sd(g, x)" : "")}");
            if (parts.Length == 1) return new PriorTarget(kind, parts[0]);
            if (parts.Length == 2 && head == "sd")
                return new PriorTarget(PriorTargetKind.TermSd, parts[0], parts[1] is "Intercept" ? "(Intercept)" : parts[1]);
            throw Error(text, $"'{t}' has {parts.Length} names; write {head}(g){(head == "sd" ? " or sd(g, x)" : "")}");
        }
        if (t.Contains('(') || t.Contains(')') || t.Contains(' '))
            throw Error(text, $"'{t}' is not a target (fixef, a coefficient's name, sd, sd(g), sd(g, x), corr, corr(g) or dispersion)");
        return new PriorTarget(PriorTargetKind.Coefficient, Name: t);
    }

    private static Prior ParseDistribution(string text, string d)
    {
        int open = d.IndexOf('(');
        if (open < 0 || !d.EndsWith(')'))
            throw Error(text, $"'{d}' is not a distribution; write NAME(parameters), e.g. normal(0, 10)");
        string name = d[..open].Trim();
        var match = Distributions.Where(x => x.Name == name).ToArray();
        if (match.Length == 0)
            throw Error(text, $"unknown distribution '{name}' (use {string.Join(", ", Distributions.Select(x => x.Name))})");
        var (_, kind, usage) = match[0];
        var args = d[(open + 1)..^1].Split(',', StringSplitOptions.TrimEntries);
        var values = new double[args.Length];
        for (int i = 0; i < args.Length; i++)
            if (!double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw Error(text, $"parameter {i + 1} of {name}, '{args[i]}', is not a finite number");
        values = Normalise(text, kind, usage, values);
        return new Prior(kind, values);
    }

    /// <summary>The parameters in <see cref="Prior"/>'s order, checked: scales, rates, shapes and degrees of freedom
    /// positive, half distributions' optional location zero.</summary>
    private static double[] Normalise(string text, PriorKind kind, string usage, double[] v)
    {
        int[] counts = kind switch
        {
            PriorKind.Normal or PriorKind.Cauchy or PriorKind.Gamma => [2],
            PriorKind.StudentT => [3],
            PriorKind.HalfNormal or PriorKind.HalfCauchy => [1, 2],
            PriorKind.HalfStudentT => [2, 3],
            _ => [1],
        };
        if (!counts.Contains(v.Length))
            throw Error(text, $"{Name(kind)} takes {string.Join(" or ", counts)} parameters, not {v.Length}: {usage}");
        // Half distributions may state their location, which must be zero.
        if ((kind is PriorKind.HalfNormal or PriorKind.HalfCauchy && v.Length == 2) || (kind == PriorKind.HalfStudentT && v.Length == 3))
        {
            int loc = v.Length - 2;
            if (v[loc] != 0) throw Error(text, $"{Name(kind)}'s location must be 0, not {v[loc]}: {usage}");
            v = v.Where((_, i) => i != loc).ToArray();
        }
        int[] positive = kind switch
        {
            PriorKind.Normal or PriorKind.Cauchy => [1],
            PriorKind.StudentT => [0, 2],
            PriorKind.HalfStudentT or PriorKind.Gamma => [0, 1],
            _ => [0],
        };
        foreach (int i in positive)
            if (!(v[i] > 0)) throw Error(text, $"{Name(kind)}'s {ParameterName(kind, i)} must be positive, not {v[i].ToString(CultureInfo.InvariantCulture)}: {usage}");
        return v;
    }

    private static string ParameterName(PriorKind kind, int i) => kind switch
    {
        PriorKind.StudentT => i == 0 ? "degrees of freedom" : "scale",
        PriorKind.HalfStudentT => i == 0 ? "degrees of freedom" : "scale",
        PriorKind.Exponential => "rate",
        PriorKind.Gamma => i == 0 ? "shape" : "rate",
        PriorKind.Lkj => "shape eta",
        _ => "scale",
    };

    private static GlmmException Error(string text, string what) => new($"--prior \"{text}\": {what}");
}

using GlmmGpu.Kernels.Families;
using System.Text.Json;
using GlmmGpu.Results;
using GlmmGpu.Fitting;

namespace GlmmGpu.Tests.Results;

/// <summary>Hand-built fit results (no estimator involved) from the reference fixtures' values.</summary>
internal static class SampleFits
{
    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>lme4's printed correlation of the cbpp Laplace fixed effects (lower triangle by rows).</summary>
    public static readonly double[] CbppFixefCorr = { -0.363, -0.340, 0.280, -0.260, 0.213, 0.198 };

    public static FitResult CbppLaplace(bool withResiduals = true, IReadOnlyDictionary<string, string[]>? factorLevels = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("cbpp_laplace.json")));
        var root = doc.RootElement;
        var coefs = Coefficients(root);
        var herd = root.GetProperty("ranef").GetProperty("herd").EnumerateObject().ToArray();
        return new FitResult
        {
            Formula = root.GetProperty("formula").GetString()!,
            Family = FamilyKind.Binomial,
            Link = LinkKind.Logit,
            Method = FitMethod.Laplace,
            NAgq = 1,
            NObs = root.GetProperty("nobs").GetInt32(),
            NGroups = new[] { ("herd", 15) },
            FixedEffects = coefs,
            FixedEffectsCovariance = Covariance(coefs.Select(c => c.StdError).ToArray(), CbppFixefCorr),
            VarCorr = new[]
            {
                new VarianceComponent("herd", new[] { "(Intercept)" },
                    new[] { root.GetProperty("varcorr").GetProperty("herd").GetProperty("sd").GetProperty("(Intercept)").GetDouble() },
                    Array.Empty<double>(), 15),
            },
            LogLik = root.GetProperty("loglik").GetDouble(),
            ParameterCount = 5,
            Converged = true,
            Singular = false,
            Record = Record(FitMethod.Laplace, 23, 57, 0.065),
            Ranef = new[]
            {
                new RandomEffectsModes("herd", new[] { "(Intercept)" }, herd.Select(p => p.Name).ToArray(),
                    herd.Select(p => new[] { p.Value.GetDouble() }).ToArray(),
                    herd.Select(_ => new[] { 0.3 }).ToArray()),
            },
            // Five values whose type-7 quantiles are the values themselves: lme4's cbpp scaled residuals.
            ScaledResiduals = withResiduals ? new[] { 0.5142, -2.3816, 2.8791, -0.7889, -0.2026 } : null,
            Messages = Array.Empty<string>(),
            FactorLevels = factorLevels,
        };
    }

    public static FitResult CbppPql()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("cbpp_pql.json")));
        var root = doc.RootElement;
        var coefs = Coefficients(root);
        return new FitResult
        {
            Formula = root.GetProperty("formula").GetString()!,
            Family = FamilyKind.Binomial,
            Link = LinkKind.Logit,
            Method = FitMethod.Pql,
            NAgq = 0,
            NObs = 56,
            NGroups = new[] { ("herd", 15) },
            FixedEffects = coefs,
            FixedEffectsCovariance = Covariance(coefs.Select(c => c.StdError).ToArray(), CbppFixefCorr),
            VarCorr = new[] { new VarianceComponent("herd", new[] { "(Intercept)" }, new[] { 0.556353481383563 }, Array.Empty<double>(), 15) },
            LogLik = null,
            ResidualSd = root.GetProperty("residual_sd").GetDouble(),
            ParameterCount = 6,
            Converged = true,
            Singular = false,
            Record = Record(FitMethod.Pql, 6, 6, 0.04),
            Ranef = Array.Empty<RandomEffectsModes>(),
            Messages = Array.Empty<string>(),
        };
    }

    /// <summary>sleepstudy by REML (lme4 fixture values): a correlated intercept and slope and a residual SD.</summary>
    public static FitResult SleepstudyReml() => new()
    {
        Formula = "Reaction ~ Days + (Days | Subject)",
        Family = FamilyKind.Gaussian,
        Link = LinkKind.Identity,
        Method = FitMethod.Reml,
        NAgq = 1,
        NObs = 180,
        NGroups = new[] { ("Subject", 18) },
        FixedEffects = new[]
        {
            Coef("(Intercept)", 251.405104848485, 6.82459669495491),
            Coef("Days", 10.467285959596, 1.54578964390598),
        },
        FixedEffectsCovariance = Covariance(new[] { 6.82459669495491, 1.54578964390598 }, new[] { -0.138 }),
        VarCorr = new[]
        {
            new VarianceComponent("Subject", new[] { "(Intercept)", "Days" }, new[] { 24.7406579949841, 5.92213765889808 }, new[] { 0.0655512382381282 }, 18),
        },
        Dispersion = new Dispersion("sigma", 25.5917957216753),
        LogLik = -871.814135979976,
        RemlCriterion = 1743.62827195995,
        ParameterCount = 6,
        Converged = true,
        Singular = false,
        Record = Record(FitMethod.Reml, 30, 40, 0.01),
        Ranef = new[]
        {
            new RandomEffectsModes("Subject", new[] { "(Intercept)", "Days" }, new[] { "308", "309" },
                new[] { new[] { 2.258, 9.199 }, new[] { -40.398, -8.621 } },
                new[] { new[] { 12.0, 2.3 }, new[] { 12.0, 2.3 } }),
        },
        Messages = Array.Empty<string>(),
    };

    /// <summary>A fit record for a hand-built result: the CPU path, the given counts and time.</summary>
    public static FitRecord Record(FitMethod method, int iterations, int evaluations, double seconds) => new()
    {
        Settings = new FitOptions { Method = method },
        Device = "cpu",
        DeviceReason = "requested: the CPU SIMD path",
        Start = new FitStart(method is FitMethod.Ml or FitMethod.Reml ? StartKind.Identity : StartKind.Glm),
        InitialParameters = [],
        FinalParameters = [],
        Iterations = iterations,
        Evaluations = evaluations,
        OptimizerMessage = "converged",
        Trail = [],
        Phases = [],
        Seconds = seconds,
    };

    public static Coefficient Coef(string name, double estimate, double se)
    {
        var z = estimate / se;
        return new Coefficient(name, estimate, se, z, TwoSidedP(z));
    }

    public static double[,] Covariance(double[] se, double[] lowerCorr)
    {
        int p = se.Length;
        var cov = new double[p, p];
        int k = 0;
        for (int i = 0; i < p; i++)
        {
            cov[i, i] = se[i] * se[i];
            for (int j = 0; j < i; j++)
            {
                cov[i, j] = cov[j, i] = lowerCorr[k++] * se[i] * se[j];
            }
        }
        return cov;
    }

    /// <summary>2 P(Z &gt; |z|) by Numerical Recipes' erfc (relative error below 1.2e-7).</summary>
    public static double TwoSidedP(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + 0.5 * x);
        double erfc = t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return erfc;
    }

    private static Coefficient[] Coefficients(JsonElement root)
    {
        var se = root.GetProperty("se");
        return root.GetProperty("fixef").EnumerateObject()
            .Select(p => Coef(p.Name, p.Value.GetDouble(), se.GetProperty(p.Name).GetDouble()))
            .ToArray();
    }
}

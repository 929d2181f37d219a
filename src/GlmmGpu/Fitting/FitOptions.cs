using GlmmGpu.Engines;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Fitting;

public enum FitMethod { Laplace, Agq, Pql, Ml, Reml, Bayes }

/// <summary>The names <c>--method</c>, the JSON and saved fits use for <see cref="FitMethod"/>.</summary>
public static class FitMethodNames
{
    public static string Name(FitMethod method) => method switch
    {
        FitMethod.Agq => "agq",
        FitMethod.Pql => "pql",
        FitMethod.Ml => "ml",
        FitMethod.Reml => "reml",
        FitMethod.Bayes => "bayes",
        _ => "laplace",
    };

    public static bool TryParse(string text, out FitMethod method)
    {
        foreach (var m in Enum.GetValues<FitMethod>())
            if (string.Equals(text.Trim(), Name(m), StringComparison.OrdinalIgnoreCase))
            {
                method = m;
                return true;
            }
        method = FitMethod.Laplace;
        return false;
    }
}

/// <summary>
/// How to fit: the statistical settings (method, quadrature nodes, optimizer limits, PQL's scale, the start), where
/// the work runs (<see cref="Execution"/>), and who hears of the optimizer's progress. What happened in a fit is
/// its <see cref="Results.FitRecord"/>, apart from these.
/// </summary>
public sealed record FitOptions
{
    public FitMethod Method { get; init; } = FitMethod.Laplace;
    /// <summary>Quadrature nodes per random effect (1 means Laplace).</summary>
    public int NAgq { get; init; } = 1;
    public int MaxIterations { get; init; } = 500;
    /// <summary>For PQL: fix the residual scale at 1 (Breslow and Clayton) instead of estimating it (glmmPQL).</summary>
    public bool PqlFixedScale { get; init; }
    /// <summary>Whether Laplace and AGQ fits with many clusters start from the fit to a sample of them
    /// (<see cref="SampleStart"/>) rather than from the GLM; off only to compare the two.</summary>
    public bool StartFromSample { get; init; } = true;
    /// <summary>Device, device math, threads and batch size: where the work runs, which never changes a result
    /// beyond rounding.</summary>
    public ExecutionOptions Execution { get; init; } = new();
    /// <summary>
    /// Called with (phase, iteration, current log-likelihood) after each optimizer iteration: Laplace and AGQ
    /// ("fitting"), ML and REML ("ML", "REML"; REML gives the REML log-likelihood) and PQL ("PQL", NaN: no likelihood).
    /// </summary>
    public Action<string, int, double>? Progress { get; init; }
    /// <summary>For <see cref="FitMethod.Bayes"/>: priors, chains, iterations, seed, sampler tuning.</summary>
    public Bayes.BayesOptions? Bayes { get; init; }
}

/// <summary>What the user asks for: data, formula, family and link.</summary>
public sealed record ModelSpec(string Formula, FamilyKind Family, LinkKind? Link = null, string? Weights = null);

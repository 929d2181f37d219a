namespace GlmmGpu.Kernels.Families;

/// <summary>Response distributions, as small codes (glmmTMB's way) so a kernel can branch without virtual calls.</summary>
public enum FamilyKind
{
    Binomial = 0,
    Poisson = 1,
    Gaussian = 2,
    Gamma = 3,
    NegativeBinomial = 4,
    InverseGaussian = 5,
}

public enum LinkKind
{
    Logit = 0,
    Probit = 1,
    Cloglog = 2,
    Log = 3,
    Identity = 4,
    Sqrt = 5,
    Inverse = 6,
    InverseSquare = 7,
}

public static class FamilyNames
{
    public static FamilyKind ParseFamily(string name) => name.Trim().ToLowerInvariant() switch
    {
        "binomial" => FamilyKind.Binomial,
        "poisson" => FamilyKind.Poisson,
        "gaussian" or "normal" => FamilyKind.Gaussian,
        "gamma" => FamilyKind.Gamma,
        "negbin" or "nbinom2" or "negative.binomial" or "negativebinomial" => FamilyKind.NegativeBinomial,
        "inverse.gaussian" or "inversegaussian" => FamilyKind.InverseGaussian,
        _ => throw new ArgumentException($"unknown family '{name}': use binomial, poisson, gaussian, gamma, negbin or inverse.gaussian"),
    };

    public static LinkKind ParseLink(string name) => name.Trim().ToLowerInvariant() switch
    {
        "logit" => LinkKind.Logit,
        "probit" => LinkKind.Probit,
        "cloglog" => LinkKind.Cloglog,
        "log" => LinkKind.Log,
        "identity" => LinkKind.Identity,
        "sqrt" => LinkKind.Sqrt,
        "inverse" => LinkKind.Inverse,
        "1/mu^2" or "inverse.square" => LinkKind.InverseSquare,
        _ => throw new ArgumentException($"unknown link '{name}': use logit, probit, cloglog, log, identity, sqrt, inverse or 1/mu^2"),
    };

    /// <summary>R's name for a family (as in the reference fixtures: <c>Gamma</c>, <c>nbinom2</c>).</summary>
    public static string RName(FamilyKind f) => f switch
    {
        FamilyKind.Binomial => "binomial",
        FamilyKind.Poisson => "poisson",
        FamilyKind.Gaussian => "gaussian",
        FamilyKind.Gamma => "Gamma",
        FamilyKind.NegativeBinomial => "nbinom2",
        FamilyKind.InverseGaussian => "inverse.gaussian",
        _ => f.ToString(),
    };

    public static string RName(LinkKind l) => l switch
    {
        LinkKind.InverseSquare => "1/mu^2",
        _ => l.ToString().ToLowerInvariant(),
    };

    /// <summary>The canonical (default) link of each family, as R's family objects choose it, except Gamma
    /// whose default here is log (R's inverse link rarely suits a GLMM; lme4 users write Gamma(link = "log")).</summary>
    public static LinkKind DefaultLink(FamilyKind f) => f switch
    {
        FamilyKind.Binomial => LinkKind.Logit,
        FamilyKind.Poisson => LinkKind.Log,
        FamilyKind.Gaussian => LinkKind.Identity,
        FamilyKind.Gamma => LinkKind.Log,
        FamilyKind.NegativeBinomial => LinkKind.Log,
        FamilyKind.InverseGaussian => LinkKind.InverseSquare,
        _ => LinkKind.Identity,
    };

    /// <summary>Links each family accepts.</summary>
    public static bool Allows(FamilyKind f, LinkKind l) => f switch
    {
        FamilyKind.Binomial => l is LinkKind.Logit or LinkKind.Probit or LinkKind.Cloglog,
        FamilyKind.Poisson => l is LinkKind.Log or LinkKind.Sqrt or LinkKind.Identity,
        FamilyKind.Gaussian => l is LinkKind.Identity or LinkKind.Log,
        FamilyKind.Gamma => l is LinkKind.Log or LinkKind.Inverse or LinkKind.Identity,
        FamilyKind.NegativeBinomial => l is LinkKind.Log,
        FamilyKind.InverseGaussian => l is LinkKind.Log or LinkKind.InverseSquare,
        _ => false,
    };

    /// <summary>Whether the family has a dispersion parameter estimated by ML.</summary>
    public static bool HasDispersion(FamilyKind f) => f is FamilyKind.Gaussian or FamilyKind.Gamma
        or FamilyKind.NegativeBinomial or FamilyKind.InverseGaussian;
}

namespace GlmmGpu.Kernels.Families;

/// <summary>Receives the row-likelihood struct type chosen for a family and link.</summary>
public interface IRowLikelihoodVisitor<TResult>
{
    TResult Visit<TModel>() where TModel : struct, IRowLikelihood;
}

/// <summary>
/// Maps the family and link codes to one generic instantiation, once per fit, so the hot loops and kernels
/// are specialised per model with no per-row branching on the family.
/// </summary>
public static class RowLikelihoodDispatch
{
    public static TResult Dispatch<TResult>(FamilyKind family, LinkKind link, IRowLikelihoodVisitor<TResult> visitor) =>
        (family, link) switch
        {
            (FamilyKind.Binomial, LinkKind.Logit) => visitor.Visit<BinomialLogit>(),
            (FamilyKind.Binomial, LinkKind.Probit) => visitor.Visit<FamilyLink<BinomialDensity, ProbitLink>>(),
            (FamilyKind.Binomial, LinkKind.Cloglog) => visitor.Visit<FamilyLink<BinomialDensity, CloglogLink>>(),
            (FamilyKind.Poisson, LinkKind.Log) => visitor.Visit<PoissonLog>(),
            (FamilyKind.Poisson, LinkKind.Sqrt) => visitor.Visit<FamilyLink<PoissonDensity, SqrtLink>>(),
            (FamilyKind.Poisson, LinkKind.Identity) => visitor.Visit<FamilyLink<PoissonDensity, IdentityLink>>(),
            (FamilyKind.Gaussian, LinkKind.Identity) => visitor.Visit<FamilyLink<GaussianDensity, IdentityLink>>(),
            (FamilyKind.Gaussian, LinkKind.Log) => visitor.Visit<FamilyLink<GaussianDensity, LogLink>>(),
            (FamilyKind.Gamma, LinkKind.Log) => visitor.Visit<FamilyLink<GammaDensity, LogLink>>(),
            (FamilyKind.Gamma, LinkKind.Inverse) => visitor.Visit<FamilyLink<GammaDensity, InverseLink>>(),
            (FamilyKind.Gamma, LinkKind.Identity) => visitor.Visit<FamilyLink<GammaDensity, IdentityLink>>(),
            (FamilyKind.NegativeBinomial, LinkKind.Log) => visitor.Visit<FamilyLink<NegativeBinomialDensity, LogLink>>(),
            (FamilyKind.InverseGaussian, LinkKind.Log) => visitor.Visit<FamilyLink<InverseGaussianDensity, LogLink>>(),
            (FamilyKind.InverseGaussian, LinkKind.InverseSquare) => visitor.Visit<FamilyLink<InverseGaussianDensity, InverseSquareLink>>(),
            _ => throw new ArgumentException($"the {FamilyNames.RName(family)} family does not take the {FamilyNames.RName(link)} link"),
        };

    /// <summary>The mean at one linear predictor (for simulation and prediction, not hot loops).</summary>
    public static double Mean(FamilyKind family, LinkKind link, double eta) => Dispatch(family, link, new MeanAt(eta));

    private sealed class MeanAt(double eta) : IRowLikelihoodVisitor<double>
    {
        public double Visit<TModel>() where TModel : struct, IRowLikelihood => default(TModel).Mean(eta);
    }
}

using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// glmer's second-stage criterion with several grouping factors as a function of psi = (beta, theta, log phi): the
/// Laplace -log L (<see cref="CrossedLaplaceDeviance{TModel}"/>, PIRLS from the last point's modes) with the exact
/// gradient of its last evaluation; for what evaluates it away from the fit (the profile, the posterior).
/// </summary>
internal abstract class CrossedLaplaceCriterion
{
    public static CrossedLaplaceCriterion Create(ModelFrame frame, CrossedTerms terms, ParallelOptions parallel) =>
        RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new Builder(frame, terms, parallel));

    /// <summary>-log L at psi; +Infinity where PIRLS fails.</summary>
    public abstract double NegativeLogLikelihood(double[] psi);

    /// <summary>The gradient of -log L in psi at the last evaluation; false where the closed form does not apply there.</summary>
    public abstract bool TryGradientOfLast(Span<double> gradient);

    /// <summary>Each term's conditional modes and their covariances at the last evaluation, which was at <paramref name="psi"/>.</summary>
    public abstract IReadOnlyList<RandomEffectsModes> RanefOfLast(double[] psi);

    private sealed class Of<TModel>(ModelFrame frame, CrossedTerms terms, ParallelOptions parallel) : CrossedLaplaceCriterion
        where TModel : struct, IRowLikelihood
    {
        private readonly CrossedLaplaceDeviance<TModel> laplace = new(frame, terms, parallel);
        private readonly bool hasDispersion = FamilyNames.HasDispersion(frame.Family);

        public override double NegativeLogLikelihood(double[] psi)
        {
            int p = frame.P;
            double f = -laplace.LogLikelihood(psi.AsSpan(0, p), psi.AsSpan(p, terms.ThetaCount), hasDispersion ? Math.Exp(psi[^1]) : 1.0,
                estimateFixed: false);
            return double.IsFinite(f) ? f : double.PositiveInfinity;
        }

        public override bool TryGradientOfLast(Span<double> gradient)
        {
            if (!laplace.TryGradient(gradient)) return false;
            for (int k = 0; k < gradient.Length; k++) gradient[k] = -gradient[k];
            return true;
        }

        public override IReadOnlyList<RandomEffectsModes> RanefOfLast(double[] psi)
        {
            var lambda = terms.Lambda(psi.AsSpan(frame.P, terms.ThetaCount));
            var covariances = terms.ConditionalCovariances(laplace.ModeFactor.InverseDiagonalBlocks(), lambda, 1.0);
            return terms.Ranef(terms.Modes(laplace.Modes, lambda), covariances);
        }
    }

    private sealed class Builder(ModelFrame frame, CrossedTerms terms, ParallelOptions parallel) : IRowLikelihoodVisitor<CrossedLaplaceCriterion>
    {
        public CrossedLaplaceCriterion Visit<TModel>() where TModel : struct, IRowLikelihood => new Of<TModel>(frame, terms, parallel);
    }
}

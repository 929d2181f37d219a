using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>The <see cref="FitResult"/> of a fit with several grouping factors: every term's variance components,
/// groups and conditional modes in lme4's order of the terms (most levels first).</summary>
internal static class CrossedResult
{
    /// <summary>lme4's isSingular message, naming the terms at their boundary.</summary>
    public static string SingularMessage(IReadOnlyList<string> terms) =>
        $"{FitChecks.SingularMessage} (at the boundary: {string.Join(", ", terms)})";

    public static List<Coefficient> Coefficients(ModelFrame frame, double[] beta, double[,] covariance)
    {
        var coefficients = new List<Coefficient>();
        for (int a = 0; a < frame.P; a++)
        {
            double se = Math.Sqrt(covariance[a, a]), z = beta[a] / se;
            coefficients.Add(new Coefficient(frame.FixedNames[a], beta[a], se, z, ResultBuilder.TwoSidedNormalP(z)));
        }
        return coefficients;
    }

    /// <param name="scale">What the relative factors are relative to: sigma for the linear mixed model, 1 for GLMMs.</param>
    /// <param name="residualSd">PQL's residual scale (glmmPQL's sigma); null for the other methods.</param>
    public static FitResult Build(ModelFrame frame, CrossedTerms terms, FitRecord record, List<Coefficient> coefficients, double[,] covariance,
        IReadOnlyList<Mat3> lambda, double scale, Dispersion? dispersion, double? logLik, double? remlCriterion, int parameterCount,
        bool converged, bool singular, IReadOnlyList<RandomEffectsModes> ranef, IReadOnlyList<string> messages, int nAgq, double[]? residuals,
        double? residualSd = null)
    {
        var varCorr = new List<VarianceComponent>();
        for (int k = 0; k < terms.Blocks.Length; k++)
        {
            int q = terms.Blocks[k].Q;
            var scaled = SmallLinearAlgebra.Scale(lambda[k], scale, q);
            varCorr.Add(ResultBuilder.VarCorr(terms.Blocks[k], scaled, q));
        }
        return new FitResult
        {
            Formula = frame.Formula.Source,
            Family = frame.Family,
            Link = frame.Link,
            Method = record.Settings.Method,
            NAgq = nAgq,
            Record = record,
            NObs = frame.RowCount,
            NGroups = terms.Blocks.Select(b => (b.GroupingFactor, b.LevelCount)).ToList(),
            FixedEffects = coefficients,
            FixedEffectsCovariance = covariance,
            VarCorr = varCorr,
            Dispersion = dispersion,
            LogLik = logLik,
            RemlCriterion = remlCriterion,
            ResidualSd = residualSd,
            ParameterCount = parameterCount,
            Converged = converged,
            Singular = singular,
            Ranef = ranef,
            ScaledResiduals = residuals,
            Messages = messages,
            FactorLevels = frame.FactorLevels,
        };
    }
}

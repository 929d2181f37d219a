using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting;

/// <summary>Turns the optimum of a likelihood fit into the user-facing <see cref="FitResult"/>.</summary>
internal static class ResultBuilder
{
    public static FitResult Build(ModelFrame frame, MarginalLikelihoodData data, double[] psi, double[,] covariance, double logLik,
        bool converged, bool singular, RandomEffectsModes ranef, double[] residuals, List<string> messages, FitRecord record)
    {
        var layout = data.Layout;
        var settings = record.Settings;
        var fixedEffects = new List<Coefficient>();
        for (int i = 0; i < layout.P; i++)
        {
            double est = psi[i], se = Math.Sqrt(covariance[i, i]);
            double z = est / se;
            fixedEffects.Add(new Coefficient(frame.FixedNames[i], est, se, z, TwoSidedNormalP(z)));
        }
        return new FitResult
        {
            Formula = frame.Formula.Source,
            Family = frame.Family,
            Link = frame.Link,
            Method = settings.Method,
            NAgq = settings.Method == FitMethod.Laplace ? 1 : settings.NAgq,
            Record = record,
            NObs = frame.RowCount,
            NGroups = frame.RandomEffects.Select(r => (r.GroupingFactor, r.LevelCount)).ToList(),
            FixedEffects = fixedEffects,
            FixedEffectsCovariance = covariance,
            VarCorr = new[] { VarCorr(data.Block, layout.Lambda(psi), layout.Q) },
            Dispersion = DispersionOf(frame.Family, layout.Phi(psi)),
            LogLik = logLik,
            ParameterCount = layout.Count,
            Converged = converged,
            Singular = singular,
            Ranef = new[] { ranef },
            ScaledResiduals = residuals,
            Messages = messages,
            FactorLevels = frame.FactorLevels,
        };
    }

    /// <summary>SDs and correlations of b = Lambda u: the covariance is Lambda Lambda'.</summary>
    public static VarianceComponent VarCorr(RandomEffectsBlock block, in Mat3 lambda, int q)
    {
        var cov = SmallLinearAlgebra.Multiply(lambda, SmallLinearAlgebra.Transpose(lambda, q), q);
        var sd = new double[q];
        for (int i = 0; i < q; i++) sd[i] = Math.Sqrt(cov[i, i]);
        var corr = new List<double>();
        if (block.Correlated)
            for (int i = 1; i < q; i++)
                for (int j = 0; j < i; j++)
                    corr.Add(sd[i] > 0 && sd[j] > 0 ? cov[i, j] / (sd[i] * sd[j]) : double.NaN);
        return new VarianceComponent(block.GroupingFactor, block.TermNames, sd, corr.ToArray(), block.LevelCount);
    }

    /// <summary>The dispersion as glmmTMB reports it: sigma for the Gaussian and the Gamma (1/sqrt(shape)),
    /// the size for the negative binomial, phi for the inverse Gaussian.</summary>
    public static Dispersion? DispersionOf(FamilyKind family, double phi) => family switch
    {
        FamilyKind.Gaussian => new Dispersion("sigma", phi),
        FamilyKind.Gamma => new Dispersion("sigma", 1.0 / Math.Sqrt(phi)),
        FamilyKind.NegativeBinomial => new Dispersion("size", phi),
        FamilyKind.InverseGaussian => new Dispersion("dispersion", phi),
        _ => null,
    };

    /// <summary>Conditional modes b = Lambda u^, their conditional covariances Lambda H^-1 Lambda' and SDs by level.</summary>
    public static RandomEffectsModes Ranef(MarginalLikelihoodData data, in Mat3 lambda, ClusterOutput[] clusters)
    {
        int q = data.Q, g = data.ClusterCount;
        var modes = new double[g][];
        var sds = new double[g][];
        var covariances = new double[g][];
        var lt = SmallLinearAlgebra.Transpose(lambda, q);
        for (int c = 0; c < g; c++)
        {
            var b = SmallLinearAlgebra.Multiply(lambda, q, clusters[c].Mode);
            var v = SmallLinearAlgebra.Multiply(SmallLinearAlgebra.Multiply(lambda, clusters[c].ModeCovariance, q), lt, q);
            modes[c] = new double[q];
            sds[c] = new double[q];
            covariances[c] = new double[q * q];
            for (int d = 0; d < q; d++)
            {
                modes[c][d] = b[d];
                sds[c][d] = Math.Sqrt(Math.Max(0, v[d, d]));
                for (int e = 0; e < q; e++) covariances[c][d * q + e] = v[d, e];
            }
        }
        return new RandomEffectsModes(data.Block.GroupingFactor, data.Block.TermNames, data.Block.Levels, modes, sds)
        {
            ConditionalCovariance = covariances,
        };
    }

    /// <summary>Pearson residuals at the conditional modes (lme4's "scaled residuals"); with <paramref name="flagBoundary"/>,
    /// also the rows whose fitted mean is at its response's extreme (<see cref="SeparationCheck.BoundaryTest"/>), from the
    /// same linear predictor.</summary>
    public sealed class PearsonVisitor(ModelFrame frame, RandomEffectsBlock block, RandomEffectsModes ranef, double[] beta, double phi,
        ParallelOptions parallel, bool flagBoundary = false) : IRowLikelihoodVisitor<double[]>
    {
        /// <summary>After <see cref="Visit"/> with flagBoundary, per row whether it is at the boundary (null where no row
        /// of the model can be).</summary>
        public bool[]? AtBoundary { get; private set; }

        public double[] Visit<TModel>() where TModel : struct, IRowLikelihood
        {
            int n = frame.RowCount;
            var r = new double[n];
            var boundary = flagBoundary ? SeparationCheck.BoundaryTest.For<TModel>(frame) : null;
            var test = boundary.GetValueOrDefault();
            var at = boundary is null ? null : new bool[n];
            AtBoundary = at;
            // Row blocks in parallel: at 1e8 rows this pass would otherwise rival the fit.
            const int rowBlock = 1 << 16;
            Parallel.For(0, (n + rowBlock - 1) / rowBlock, parallel, blk =>
            {
                int end = Math.Min(n, (blk + 1) * rowBlock);
                for (int i = blk * rowBlock; i < end; i++)
                {
                    double eta = frame.Offset[i];
                    for (int k = 0; k < frame.P; k++) eta += frame.XAt(i, k) * beta[k];
                    var b = ranef.Modes[block.LevelOfRow[i]];
                    for (int d = 0; d < block.Q; d++) eta += block.Z[(long)d * n + i] * b[d];
                    r[i] = default(TModel).PearsonResidual(frame.Response[i], frame.Weights[i], eta, phi);
                    if (at is not null) at[i] = test.IsAt(frame.Response[i], frame.Weights[i], eta);
                }
            });
            return r;
        }
    }

    public static double TwoSidedNormalP(double z) =>
        double.IsFinite(z) ? SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2.0)) : double.NaN;
}

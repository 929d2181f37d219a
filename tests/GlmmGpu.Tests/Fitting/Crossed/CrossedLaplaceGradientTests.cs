using GlmmGpu.Data;
using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;
using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Crossed;

/// <summary>
/// The exact gradient of the crossed Laplace log-likelihood against central differences of the log-likelihood itself,
/// in both of glmer's stages (theta with the fixed effects inside PIRLS; beta, theta and log phi with the modes alone),
/// at points away from the optimum: Poisson with three scalar factors, Poisson with a correlated slope crossed with an
/// intercept, binary crossed, and a Gamma model (log link: the third derivative and the dispersion both count).
/// </summary>
public class CrossedLaplaceGradientTests
{
    [Theory]
    [InlineData("grouseticks.csv", "TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | BROOD) + (1 | LOCATION)", FamilyKind.Poisson, LinkKind.Log,
        new[] { 0.1, 0.5, 0.3, -0.01, 0.6, 1.1, 0.4 }, 1.0)]
    [InlineData("sim_crossed_slope.csv", "count ~ x + (1 + x | subj) + (1 | item)", FamilyKind.Poisson, LinkKind.Log,
        new[] { 0.3, 0.2, 0.5, 0.1, 0.3, 0.6 }, 1.0)]
    [InlineData("sim_crossed_binary.csv", "y ~ x + (1 | subj) + (1 | item)", FamilyKind.Binomial, LinkKind.Logit,
        new[] { -0.2, 0.4, 0.9, 0.5 }, 1.0)]
    [InlineData("penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", FamilyKind.Gamma, LinkKind.Log,
        new[] { 3.2, 0.7, 2.5 }, 0.01)]
    public void ExactGradientMatchesCentralDifferences(string data, string formula, FamilyKind family, LinkKind link, double[] psi, double phi)
    {
        var frame = ModelFrameBuilder.Build(CsvLoader.Load(Fixtures.Path(data)), FormulaParser.Parse(formula), family, link);
        RowLikelihoodDispatch.Dispatch(family, link, new Check(frame, psi, phi));
    }

    private sealed class Check(ModelFrame frame, double[] psi, double phi) : IRowLikelihoodVisitor<bool>
    {
        public bool Visit<TModel>() where TModel : struct, IRowLikelihood
        {
            var terms = new CrossedTerms(frame);
            int p = frame.P, nTheta = terms.ThetaCount;
            bool dispersion = FamilyNames.HasDispersion(frame.Family);
            Assert.Equal(p + nTheta, psi.Length);
            var laplace = new CrossedLaplaceDeviance<TModel>(frame, terms, new ParallelOptions { MaxDegreeOfParallelism = 1 });
            var beta = psi[..p];
            var theta = psi[p..];

            // Stage 1: theta, the fixed effects found with the modes.
            double Stage1(double[] t) => laplace.LogLikelihood(beta, t, phi, estimateFixed: true);
            Assert.True(double.IsFinite(Stage1(theta)));
            var gradient1 = new double[nTheta];
            Assert.True(laplace.TryGradient(gradient1));
            AssertMatches(Stage1, theta, gradient1, "stage 1");

            // Stage 2: beta, theta and log phi where the family has one.
            var full = dispersion ? [.. psi, Math.Log(phi)] : psi;
            double Stage2(double[] x) => laplace.LogLikelihood(x.AsSpan(0, p), x.AsSpan(p, nTheta), dispersion ? Math.Exp(x[^1]) : 1.0, estimateFixed: false);
            Assert.True(double.IsFinite(Stage2(full)));
            var gradient2 = new double[full.Length];
            Assert.True(laplace.TryGradient(gradient2));
            AssertMatches(Stage2, full, gradient2, "stage 2");
            return true;
        }

        private static void AssertMatches(Func<double[], double> f, double[] x, double[] gradient, string stage)
        {
            for (int k = 0; k < x.Length; k++)
            {
                double h = 1e-5 * Math.Max(1, Math.Abs(x[k]));
                var up = (double[])x.Clone();
                var down = (double[])x.Clone();
                up[k] += h;
                down[k] -= h;
                double differenced = (f(up) - f(down)) / (2 * h);
                Assert.True(Math.Abs(gradient[k] - differenced) <= 2e-5 * Math.Max(1, Math.Abs(differenced)),
                    $"{stage}, parameter {k}: exact {gradient[k]:R}, differenced {differenced:R}");
            }
        }
    }
}

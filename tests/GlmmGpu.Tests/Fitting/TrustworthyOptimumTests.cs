using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>
/// A fit is reported as converged only at an optimum it can stand on: a Laplace or AGQ fit not where a variance
/// parameter never moved from its start, nor where the Hessian over the parameters away from a boundary is not
/// positive definite; a PQL fit not where its last linear mixed model did not converge.
/// </summary>
public class TrustworthyOptimumTests
{
    [Theory]
    [InlineData("y ~ x + (1 + w0 | g)")]
    [InlineData("y ~ x + (1 + w0 || g)")]
    public void AVarianceTheLikelihoodIsFlatInIsNotAnOptimum(string formula)
    {
        // w0 is 0 in every row: its random slope changes nothing, and its variance stayed at the start, 1, where the
        // fit had been reported as converged.
        var data = WithZeroColumn(CsvLoader.Load(Fixtures.Path("sim_binary_slope.csv")));
        var fit = Glmm.Fit(data, new ModelSpec(formula, FamilyKind.Binomial), new FitOptions { Method = FitMethod.Laplace });
        Assert.False(fit.Converged);
        Assert.Contains("Model failed to converge: the variance parameter of w0 | g never moved from its start (1): the likelihood is flat in it at the estimates",
            fit.Messages);
        Assert.Equal(1.0, fit.VarCorr[0].Sd[1]);
    }

    [Theory]
    [InlineData(FitMethod.Laplace)]
    [InlineData(FitMethod.Agq)]
    public void ASingularFitIsStillAnOptimum(FitMethod method)
    {
        // The boundary's own flat direction does not count against the fit: lme4 holds the variance there fixed.
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 40, perGroup: 10, q: 1, correlated: true, seed: 4);
        var flat = FitDiagnosticsTests.WithoutGroupEffect(frame);
        var fit = Glmm.Fit(flat, new FitOptions { Method = method });
        Assert.True(fit.Singular, $"sd {fit.VarCorr[0].Sd[0]:R}");
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.All(fit.FixedEffects, c => Assert.True(double.IsFinite(c.StdError) && c.StdError > 0));
    }

    [Fact]
    public void PqlWhoseWorkingModelHasNoResidualVarianceLeftIsNotConverged()
    {
        // Every count 1: the working response is fitted exactly, PQL's residual SD went to 1e-152 and its z values to
        // 1e133, reported as converged.
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 20, perGroup: 10, q: 1, correlated: true, seed: 2);
        Array.Fill(frame.Response, 1.0);
        var fit = Glmm.Fit(frame, new FitOptions { Method = FitMethod.Pql });
        Assert.False(fit.Converged);
        Assert.Contains(fit.Messages, m => m.StartsWith("Model failed to converge: PQL's last linear mixed model fit did not converge (", StringComparison.Ordinal));
    }

    private static DataTable WithZeroColumn(DataTable data)
    {
        var columns = data.Columns.Select(c => (c.Name, c switch
        {
            NumericColumn n => (object)n.Values,
            StringColumn s => s.Values,
            _ => throw new InvalidOperationException(c.Name),
        })).ToList();
        columns.Add(("w0", new double[data.RowCount]));
        return DataTable.FromColumns(columns.ToArray());
    }
}

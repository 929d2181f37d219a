using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Simulation;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Fits with enough clusters start from the Laplace fit to every eighth cluster (SampleStart): the sample is
/// the right rows, and the fit it starts reaches the same optimum as the fit from the GLM start.</summary>
public class SampleStartTests
{
    [Fact]
    public void ClusterSampleTakesEveryKthClusterWhole()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, [3, 1, 4, 2, 5, 2, 2], 1, true, 5);
        var sample = ClusterSample.EveryKth(frame, 3);
        var block = frame.RandomEffects[0];
        var picked = new[] { 0, 3, 6 };
        var rows = picked.SelectMany(g => Enumerable.Range(block.ClusterOffsets![g], block.ClusterOffsets[g + 1] - block.ClusterOffsets[g])).ToArray();
        var s = sample.RandomEffects[0];
        Assert.Equal(new[] { 0, 3, 5, 7 }, s.ClusterOffsets);
        Assert.Equal(picked.Select(g => block.Levels[g]), s.Levels);
        Assert.Equal(rows.Length, sample.RowCount);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(frame.Response[rows[i]], sample.Response[i]);
            Assert.Equal(frame.Weights[rows[i]], sample.Weights[i]);
            Assert.Equal(frame.SourceRow[rows[i]], sample.SourceRow[i]);
            Assert.Equal(block.Z[rows[i]], s.Z[i]);
            for (int k = 0; k < frame.P; k++) Assert.Equal(frame.XAt(rows[i], k), sample.XAt(i, k));
        }
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 2, 2 }, s.LevelOfRow);
    }

    /// <summary>With 20,000 clusters (2,500 in the sample) the estimates from the two starts agree to well inside the
    /// optimizer's tolerance (about 3e-4 SE), and the sample start is taken only where it should be; Gamma rows check
    /// the dispersion parameter's rescaled curvature too.</summary>
    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1)]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 7)]
    [InlineData(FamilyKind.Poisson, LinkKind.Log, 1)]
    [InlineData(FamilyKind.Gamma, LinkKind.Log, 1)]
    public void ReachesTheOptimumOfTheGlmStart(FamilyKind family, LinkKind link, int nodes)
    {
        var frame = SyntheticFrames.Create(family, link, groups: 20_000, perGroup: 3, 1, true, 11);
        var options = new FitOptions { Method = nodes == 1 ? FitMethod.Laplace : FitMethod.Agq, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };
        var sampled = Estimators.Fit(frame, options);
        Assert.Equal(new FitStart(StartKind.ClusterSample, 2500, sampled.Record.Start.SampleEvaluations), sampled.Record.Start);
        Assert.True(sampled.Record.Start.SampleEvaluations > 0);
        var fromGlm = Estimators.Fit(frame, options with { StartFromSample = false });
        Assert.Equal(StartKind.Glm, fromGlm.Record.Start.Kind);
        Assert.True(sampled.Converged, string.Join("; ", sampled.Messages));
        Assert.True(fromGlm.Converged, string.Join("; ", fromGlm.Messages));
        for (int k = 0; k < frame.P; k++)
        {
            var a = sampled.FixedEffects[k];
            var b = fromGlm.FixedEffects[k];
            Assert.True(Math.Abs(a.Estimate - b.Estimate) < 1e-3 * b.StdError, $"{a.Name}: {a.Estimate:R} against {b.Estimate:R}");
            Assert.True(Math.Abs(a.StdError / b.StdError - 1) < 1e-4, $"SE of {a.Name}: {a.StdError:R} against {b.StdError:R}");
        }
        Assert.True(Math.Abs(sampled.VarCorr[0].Sd[0] / fromGlm.VarCorr[0].Sd[0] - 1) < 1e-4);
        Assert.True(Math.Abs(sampled.LogLik!.Value - fromGlm.LogLik!.Value) < 1e-6);
    }

    [Fact]
    public void FewClustersStartFromTheGlm()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 7_000, perGroup: 2, 1, true, 3);
        var fit = Estimators.Fit(frame, new FitOptions { Method = FitMethod.Laplace, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        Assert.True(fit.Converged);
        Assert.Equal(StartKind.Glm, fit.Record.Start.Kind);
    }

    /// <summary>A variance the sample puts at zero is not used as the start (zero is stationary by symmetry): with no
    /// variance in the data the fit is as singular as from the GLM start, and says so.</summary>
    [Fact]
    public void NoVarianceFitsAsFromTheGlmStart()
    {
        var (table, _) = Simulator.Generate(new SimulationSpec(48_000, 24_000, FamilyKind.Binomial, Sd: 0.0, Seed: 4));
        var frame = Glmm.Frame(table, new ModelSpec("y ~ x1 + x2 + x3 + x4 + (1 | g)", FamilyKind.Binomial));
        var options = new FitOptions { Method = FitMethod.Laplace, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };
        var sampled = Estimators.Fit(frame, options);
        int used = sampled.Record.Start.SampleClusters;
        var fromGlm = Estimators.Fit(frame, options with { StartFromSample = false });
        Assert.True(used is 0 or 3000);
        Assert.Equal(fromGlm.Singular, sampled.Singular);
        Assert.True(Math.Abs(sampled.LogLik!.Value - fromGlm.LogLik!.Value) < 1e-4, $"{sampled.LogLik!.Value:R} against {fromGlm.LogLik!.Value:R}");
        for (int k = 0; k < frame.P; k++)
            Assert.True(Math.Abs(sampled.FixedEffects[k].Estimate - fromGlm.FixedEffects[k].Estimate) < 1e-2 * fromGlm.FixedEffects[k].StdError);
    }

    /// <summary>A column that is zero in every sampled cluster (a level no sampled cluster has, say): the sample's GLM
    /// cannot estimate it, and the fit starts from the whole data's GLM instead, to the same optimum.</summary>
    [Fact]
    public void AColumnTheSampleLacksFitsFromTheWholeDataGlm()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 16_000, perGroup: 3, 1, true, 8);
        var offsets = frame.RandomEffects[0].ClusterOffsets!;
        int n = frame.RowCount;
        for (int g = 0; g < 16_000; g += SampleStart.Stride)
            for (int i = offsets[g]; i < offsets[g + 1]; i++) frame.X[2 * n + i] = 0.0;
        var options = new FitOptions { Method = FitMethod.Laplace, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };
        var fit = Estimators.Fit(frame, options);
        Assert.Equal(StartKind.Glm, fit.Record.Start.Kind);
        var fromGlm = Estimators.Fit(frame, options with { StartFromSample = false });
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        for (int k = 0; k < frame.P; k++)
            Assert.Equal(fromGlm.FixedEffects[k].Estimate, fit.FixedEffects[k].Estimate);
    }
}

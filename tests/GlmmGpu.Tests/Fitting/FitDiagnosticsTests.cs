using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>A fit that cannot be trusted says so: singular fits, iteration limits, unsupported shapes.</summary>
public class FitDiagnosticsTests
{
    [Theory]
    [InlineData(FitMethod.Laplace)]
    [InlineData(FitMethod.Pql)]
    public void ZeroVarianceIsFittedAndFlaggedSingular(FitMethod method)
    {
        // Random effects drawn from the binomial with no group variation at all.
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 30, perGroup: 20, q: 1, correlated: true, seed: 3);
        var flat = WithoutGroupEffect(frame);
        Assert.Equal(20, flat.RandomEffects[0].ClusterOffsets![1]);
        var fit = Glmm.Fit(flat, new FitOptions { Method = method });
        Assert.True(fit.Singular, $"sd {fit.VarCorr[0].Sd[0]:R}, {string.Join("; ", fit.Messages)}");
        Assert.Contains(fit.Messages, m => m.Contains("singular", StringComparison.Ordinal));
        Assert.True(fit.VarCorr[0].Sd[0] < 1e-3);
    }

    [Fact]
    public void IterationLimitIsReportedAsNonConvergence()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 50, perGroup: 8, q: 1, correlated: true, seed: 6);
        var fit = Glmm.Fit(frame, new FitOptions { MaxIterations = 2 });
        Assert.False(fit.Converged);
        Assert.Contains(fit.Messages, m => m.StartsWith("Model failed to converge", StringComparison.Ordinal));
    }

    [Fact]
    public void AgqNeedsAtLeastOneNode()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 10, perGroup: 5, q: 1, correlated: true, seed: 6);
        var e = Assert.Throws<GlmmException>(() => Glmm.Fit(frame, new FitOptions { Method = FitMethod.Agq, NAgq = 0 }));
        Assert.Contains("nagq", e.Message);
    }

    /// <summary>Every group a copy of the first: no between-group variation at all, so the ML variance is zero.</summary>
    internal static ModelFrame WithoutGroupEffect(ModelFrame frame)
    {
        var offsets = frame.RandomEffects[0].ClusterOffsets!;
        int n = frame.RowCount, size = offsets[1];
        Copy(frame.Response);
        Copy(frame.Weights);
        for (int k = 0; k < frame.P; k++) Copy(frame.X.AsSpan(k * n, n));
        for (int k = 0; k < frame.RandomEffects[0].Q; k++) Copy(frame.RandomEffects[0].Z.AsSpan(k * n, n));
        return frame;

        void Copy(Span<double> column)
        {
            for (int i = size; i < column.Length; i++) column[i] = column[i % size];
        }
    }
}

using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>Data that breaks naive quadrature: a random-effect SD of 4 on the logit scale, so that many clusters
/// are all zeros or all ones and the integrand is far from Gaussian.</summary>
public class HardDataTests
{
    private static DataTable LargeSdData()
    {
        using var stream = new MemoryStream();
        Simulator.Write(new SimulationSpec(3000, 300, FamilyKind.Binomial, Sd: 4.0, Seed: 17), stream);
        stream.Position = 0;
        return CsvLoader.Load(new StreamReader(stream));
    }

    [Fact]
    public void LargeRandomEffectSdIsRecoveredAndAgqConverges()
    {
        var data = LargeSdData();
        var spec = new ModelSpec("y ~ x1 + x2 + x3 + x4 + (1 | g)", FamilyKind.Binomial);
        var rows = Glmm.Frame(data, spec);
        var offsets = rows.RandomEffects[0].ClusterOffsets!;
        int degenerate = 0;
        for (int c = 0; c + 1 < offsets.Length; c++)
        {
            double s = 0;
            for (int i = offsets[c]; i < offsets[c + 1]; i++) s += rows.Response[i];
            if (s == 0 || s == offsets[c + 1] - offsets[c]) degenerate++;
        }
        Assert.True(degenerate > 100, $"only {degenerate} all-0/all-1 clusters");

        var laplace = Glmm.Fit(data, spec, new FitOptions { Method = FitMethod.Laplace });
        var fits = new[] { 50, 100, 150 }.Select(k => Glmm.Fit(data, spec, new FitOptions { Method = FitMethod.Agq, NAgq = k })).ToArray();
        Assert.True(laplace.Converged && fits.All(f => f.Converged));
        var at50 = fits[0];
        Assert.InRange(fits[2].VarCorr[0].Sd[0], 3.3, 4.7);
        // With an SD this large the Gaussian-centred rule converges slowly (the reference README's warning):
        // 50 nodes are good to 1e-3, and 100 against 150 agree to 1e-6.
        Assert.True(Math.Abs(fits[0].LogLik!.Value - fits[2].LogLik!.Value) < 1e-3, $"K=50 {fits[0].LogLik:R}, K=150 {fits[2].LogLik:R}");
        Assert.True(Math.Abs(fits[1].LogLik!.Value - fits[2].LogLik!.Value) < 1e-6, $"K=100 {fits[1].LogLik:R}, K=150 {fits[2].LogLik:R}");
        // Laplace is biased here; AGQ's log-likelihood at its own optimum is the larger.
        Assert.True(fits[2].LogLik > laplace.LogLik);
        foreach (var c in at50.FixedEffects.Skip(1))
            Assert.InRange(c.Estimate / c.StdError, -100, 100);
    }
}

using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Tests.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>Random effects drawn at one parameter value, many times: their means and SDs are the conditional modes and
/// conditional SDs the fit reports (Lambda u^, sqrt(diag(Lambda H^-1 Lambda'))), within Monte Carlo error.</summary>
public class RandomEffectDrawsTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void DrawsAtOnePointCentreOnTheModesWithTheConditionalSds(int q, bool correlated)
    {
        var frame = SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 12, perGroup: 5, q, correlated, seed: 4);
        var data = MarginalLikelihoodData.Create(frame, 1);
        using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        var priors = PriorSet.Resolve([], frame.FixedNames, "g", data.Block.TermNames, data.Layout.Correlated, null, 1);
        var transform = new PosteriorTransform(data.Layout, priors, 1);
        var z = new double[transform.Dimension];
        z[0] = 0.3;
        for (int j = 0; j < q; j++) z[transform.SdOffset + j] = Math.Log(0.6);
        if (transform.CorrelationCount > 0) z[transform.CorrelationOffset] = 0.4;
        const int n = 4000;
        var same = Enumerable.Range(0, n).Select(_ => z).ToList();
        var set = RandomEffectDraws.Draw(engine, data, transform, [same], n, seed: 8);
        var psi = new double[data.Layout.Count];
        transform.ToPsi(z, psi);
        engine.Evaluate(psi, new double[psi.Length]);
        var modes = ResultBuilder.Ranef(data, data.Layout.Lambda(psi), engine.Clusters);
        for (int g = 0; g < data.ClusterCount; g++)
            for (int d = 0; d < q; d++)
            {
                var v = set.Values.Select(x => x[g * q + d]).ToArray();
                double mean = v.Average(), sd = ConvergenceDiagnostics.StandardDeviation(v);
                double expectedSd = modes.ConditionalSd[g][d];
                Assert.True(Math.Abs(mean - modes.Modes[g][d]) < 4 * expectedSd / Math.Sqrt(n), $"cluster {g}, effect {d}: mean {mean} against mode {modes.Modes[g][d]}");
                Assert.True(Math.Abs(sd / expectedSd - 1) < 0.06, $"cluster {g}, effect {d}: sd {sd} against {expectedSd}");
            }
        Assert.Equal(Enumerable.Repeat(0, n), set.Chain);
    }
}

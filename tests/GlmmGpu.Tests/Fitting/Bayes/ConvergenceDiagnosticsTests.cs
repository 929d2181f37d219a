using GlmmGpu.Kernels.Numerics;
using System.Globalization;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Sampling;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>
/// R-hat, ESS and MCSE against values computed in R by posterior's definitions (Fixtures/scripts/posterior_diagnostics.R:
/// FFT autocovariances, R's rank and qnorm, odd chain lengths, ties), and against cases checkable by hand.
/// </summary>
public class ConvergenceDiagnosticsTests
{
    private static Dictionary<string, double[][]> Draws()
    {
        var lines = File.ReadAllLines(Fixtures.Path("bayes/posterior_diagnostics_draws.csv"));
        var header = lines[0].Split(',');
        var columns = header.Select(_ => new List<double>()).ToArray();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            for (int j = 0; j < cells.Length; j++) columns[j].Add(double.Parse(cells[j], CultureInfo.InvariantCulture));
        }
        return header.Select((h, j) => (Case: h.Split('.')[0], Column: columns[j].ToArray()))
            .GroupBy(t => t.Case).ToDictionary(g => g.Key, g => g.Select(t => t.Column).ToArray());
    }

    [Theory]
    [InlineData("iid")]
    [InlineData("ar09")]
    [InlineData("shifted")]
    [InlineData("skewed")]
    [InlineData("discrete")]
    public void MatchPosteriorsDefinitionsComputedInR(string name)
    {
        var chains = Draws()[name];
        var reference = Fixtures.Json("bayes/posterior_diagnostics_reference.json").GetProperty(name);
        void Near(string key, double actual) =>
            Assert.True(Math.Abs(actual - reference.GetProperty(key).GetDouble()) <= 1e-9 * Math.Abs(reference.GetProperty(key).GetDouble()),
                $"{name} {key}: {actual:R} against R's {reference.GetProperty(key).GetDouble():R}");
        Near("rhat", ConvergenceDiagnostics.Rhat(chains));
        Near("ess_bulk", ConvergenceDiagnostics.EssBulk(chains));
        Near("ess_tail", ConvergenceDiagnostics.EssTail(chains));
        Near("ess_mean", ConvergenceDiagnostics.EssMean(chains));
        Near("mcse_mean", ConvergenceDiagnostics.McseMean(chains));
        Near("rhat_basic_split", ConvergenceDiagnostics.RhatBasic(ConvergenceDiagnostics.SplitChains(chains)));
    }

    [Fact]
    public void IndependentDrawsHaveRhatNearOneAndEssNearTheirNumber()
    {
        var chains = Enumerable.Range(0, 4).Select(c =>
        {
            var rng = new ChainRandom(42, c);
            return Enumerable.Range(0, 2000).Select(_ => rng.Normal()).ToArray();
        }).ToArray();
        Assert.InRange(ConvergenceDiagnostics.Rhat(chains), 0.995, 1.005);
        Assert.InRange(ConvergenceDiagnostics.EssBulk(chains), 7000, 9000);
        Assert.InRange(ConvergenceDiagnostics.EssMean(chains), 7000, 9000);
    }

    /// <summary>An AR(1) chain with coefficient rho has ESS n (1 - rho)/(1 + rho); chains about different means have
    /// R-hat well above 1.</summary>
    [Fact]
    public void AutocorrelatedAndSeparatedChains()
    {
        const double rho = 0.8;
        var chains = Enumerable.Range(0, 4).Select(c =>
        {
            var rng = new ChainRandom(7, c);
            var x = new double[20000];
            x[0] = rng.Normal() / Math.Sqrt(1 - rho * rho);
            for (int t = 1; t < x.Length; t++) x[t] = rho * x[t - 1] + rng.Normal();
            return x;
        }).ToArray();
        double expected = 4 * 20000 * (1 - rho) / (1 + rho);
        Assert.InRange(ConvergenceDiagnostics.EssMean(chains), 0.85 * expected, 1.15 * expected);
        var apart = chains.Select((c, k) => c.Select(v => v + 2 * k).ToArray()).ToArray();
        Assert.True(ConvergenceDiagnostics.Rhat(apart) > 1.5);
    }

    /// <summary>The classic R-hat by hand: two chains of two draws, (0, 2) and (2, 4): chain means 1 and 3, within
    /// variance 2, between n var(means) = 4, R-hat = sqrt((4/2 + 1)/2).</summary>
    [Fact]
    public void BasicRhatByHand()
    {
        Assert.Equal(Math.Sqrt(1.5), ConvergenceDiagnostics.RhatBasic([[0, 2], [2, 4]]), 14);
        Assert.Equal([[1.0, 2], [4, 5], [7, 8], [10, 11]], ConvergenceDiagnostics.SplitChains([[1, 2, 3, 4, 5], [7, 8, 9, 10, 11]]));
    }

    [Fact]
    public void ConstantOrNonFiniteDrawsGiveNaN()
    {
        double[][] constant = [[1, 1, 1, 1], [1, 1, 1, 1]];
        Assert.True(double.IsNaN(ConvergenceDiagnostics.Rhat(constant)));
        Assert.True(double.IsNaN(ConvergenceDiagnostics.EssBulk(constant)));
        Assert.True(double.IsNaN(ConvergenceDiagnostics.EssBulk([[1, 2, double.NaN, 4], [1, 2, 3, 4]])));
    }

    [Theory]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(0.5, 0)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.3, -0.5244005127080407)]
    public void NormalQuantileMatchesR(double p, double expected) =>
        Assert.Equal(expected, NormalQuantile.Of(p), 13);
}

using GlmmGpu.Data;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Bayes;
using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.Kernels.Families;
using Xunit;

namespace GlmmGpu.Tests.Fitting.Bayes;

/// <summary>
/// Simulation-based calibration (Talts et al. 2018): draw the parameters from the prior and data from them, sample
/// the posterior, and rank the true values among thinned draws. If the sampler (and the marginal likelihood it
/// samples) are right, each parameter's ranks are uniform. A Poisson model, y ~ x + (1 | g) on 10 groups of 5, with
/// 7-node quadrature (so the marginal is that of the simulated model, to well under the test's power); 160 replicates,
/// one chain each of 200 warm-up and 200 draws thinned to 20; ranks in 7 bins, a chi-square test on 6 degrees of
/// freedom at the 0.001 level, with fixed seeds, so the test is deterministic. A sampler that ignored the data, the
/// prior or a Jacobian fails it (the ranks pile up at the ends or in the middle).
/// </summary>
public class SimulationBasedCalibrationTests
{
    private const int Replicates = 160, Groups = 10, PerGroup = 5, Thin = 10, Draws = 200;

    private static readonly string[] Priors = ["Intercept ~ normal(1, 0.5)", "x ~ normal(0, 0.5)", "sd ~ exponential(2)"];

    [Fact]
    public void RanksOfTheTrueParametersAreUniform()
    {
        var ranks = new int[Replicates, 3];
        Parallel.For(0, Replicates, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, r =>
        {
            var rng = new ChainRandom(90210, r);
            double beta0 = 1 + 0.5 * rng.Normal(), beta1 = 0.5 * rng.Normal(), sd = -Math.Log(1 - rng.NextDouble()) / 2;
            var data = Simulate(rng, beta0, beta1, sd);
            var fit = Glmm.Fit(data, new ModelSpec("y ~ x + (1 | g)", FamilyKind.Poisson), new FitOptions
            {
                Method = FitMethod.Bayes,
                NAgq = 7,
                Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 1 },
                Bayes = new BayesOptions { Priors = Priors.Select(PriorParser.Parse).ToList(), Chains = 1, Iterations = 2 * Draws, Seed = r },
            });
            var draws = fit.Posterior!.Draws[0];
            double[] truth = [beta0, beta1, sd];
            for (int k = 0; k < 3; k++)
            {
                int rank = 0;
                for (int i = Thin - 1; i < draws.Length; i += Thin)
                    if (draws[i][k] < truth[k]) rank++;
                ranks[r, k] = rank;
            }
        });
        // 21 possible ranks (0..20) in 7 bins of 3.
        const int bins = 7;
        for (int k = 0; k < 3; k++)
        {
            var counts = new int[bins];
            for (int r = 0; r < Replicates; r++) counts[ranks[r, k] / 3]++;
            double expected = (double)Replicates / bins;
            double chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
            Assert.True(chiSquare < 22.46, $"parameter {k}: rank counts {string.Join(", ", counts)}, chi-square {chiSquare:0.0} on 6 df (p < 0.001)");
        }
    }

    private static DataTable Simulate(ChainRandom rng, double beta0, double beta1, double sd)
    {
        int n = Groups * PerGroup;
        var g = new string?[n];
        var x = new double[n];
        var y = new double[n];
        for (int j = 0; j < Groups; j++)
        {
            double b = sd * rng.Normal();
            for (int i = 0; i < PerGroup; i++)
            {
                int row = j * PerGroup + i;
                g[row] = "g" + j;
                x[row] = rng.Normal();
                y[row] = Poisson(Math.Exp(beta0 + beta1 * x[row] + b), rng);
            }
        }
        return new DataTable([new StringColumn("g", g), new NumericColumn("x", x), new NumericColumn("y", y)]);
    }

    private static int Poisson(double mu, ChainRandom rng)
    {
        double l = Math.Exp(-mu), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }
}

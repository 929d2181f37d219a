using System.Text.Json;
using GlmmGpu.Cli;
using GlmmGpu.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Cli;

/// <summary><c>glmm fit --method bayes</c>: its options, their errors, and a run's summary, JSON and draws file.</summary>
public class BayesCommandTests
{
    private static readonly string[] Base = ["--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--family", "binomial"];

    private static FitRequest Request(params string[] extra) =>
        FitCommand.ParseRequest(ArgumentParser.Parse(Base.Concat(extra).ToArray(), FitCommand.Options, FitCommand.Name));

    private static string Error(params string[] extra) =>
        Assert.Throws<UsageException>(() => Request(extra)).Message;

    [Fact]
    public void ParsesTheSamplerOptions()
    {
        var r = Request("--method", "bayes", "--prior", "fixef ~ normal(0, 5)", "--prior", "sd(g) ~ half_normal(0, 1)", "--chains", "2",
            "--iter", "500", "--warmup", "200", "--seed", "42", "--metric", "dense", "--adapt-delta", "0.9", "--nagq", "5");
        Assert.Equal(FitMethod.Bayes, r.Method);
        Assert.Equal(5, r.NAgq);
        var b = r.Bayes!;
        Assert.Equal(2, b.Priors.Count);
        Assert.Equal((2, 500, 200, 42L, true, 0.9), (b.Chains, b.Iterations, b.WarmupIterations, b.Seed, b.DenseMetric, b.TargetAcceptance));
        var defaults = Request("--method", "bayes").Bayes!;
        Assert.Equal((4, 2000, 1000, 1L, false), (defaults.Chains, defaults.Iterations, defaults.WarmupIterations, defaults.Seed, defaults.DenseMetric));
    }

    [Theory]
    [InlineData(new[] { "--chains", "2" }, "option --chains applies only to --method bayes")]
    [InlineData(new[] { "--method", "laplace", "--prior", "sd ~ exponential(1)" }, "option --prior applies only to --method bayes")]
    [InlineData(new[] { "--method", "bayes", "--prior", "sd ~ normal(0, 1)" }, "normal does not go with sd")]
    [InlineData(new[] { "--method", "bayes", "--chains", "0" }, "option --chains must be between 1 and 256")]
    [InlineData(new[] { "--method", "bayes", "--iter", "100", "--warmup", "100" }, "option --warmup must be between 0 and 99")]
    [InlineData(new[] { "--method", "bayes", "--metric", "full" }, "option --metric takes diag or dense, not 'full'")]
    [InlineData(new[] { "--method", "bayes", "--adapt-delta", "1" }, "option --adapt-delta needs a number between 0 and 1")]
    [InlineData(new[] { "--method", "bayes", "--seed", "x" }, "option --seed needs a whole number")]
    [InlineData(new[] { "--method", "bayes", "--ranef-draw-count", "5" }, "option --ranef-draw-count goes with --ranef-draws FILE")]
    [InlineData(new[] { "--method", "bayesian" }, "unknown method 'bayesian' (use laplace, agq, pql, ml, reml or bayes)")]
    public void BadOptionsAreNamed(string[] extra, string expected) => Assert.Contains(expected, Error(extra));

    [Fact]
    public void AFitPrintsThePosteriorAndWritesItsJsonAndDraws()
    {
        string dir = Path.Combine(Path.GetTempPath(), "glmm-bayes-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string json = Path.Combine(dir, "fit.json"), draws = Path.Combine(dir, "draws.csv"), ranef = Path.Combine(dir, "ranef.csv");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = CliProgram.Run(["fit", "--data", Fixtures.Path("cbpp.csv"), "--factor", "herd,period", "--family", "binomial",
                "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--device", "cpu", "--quiet",
                "--method", "bayes", "--chains", "2", "--iter", "400", "--seed", "3", "--prior", "sd ~ exponential(1)",
                "--json", json, "--draws", draws, "--ranef-draws", ranef, "--ranef-draw-count", "3"], stdout, stderr);
            Assert.True(code is 0 or 1, stderr.ToString());
            string text = stdout.ToString();
            Assert.Contains("NUTS on the marginal posterior (Laplace approximation)", text);
            Assert.Contains("sd(herd, (Intercept)) ~ exponential(1)", text);
            Assert.Contains("(Intercept) ~ normal(0, 10) (default)", text);
            Assert.Contains("Bulk_ESS Tail_ESS Rhat", text);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var post = doc.RootElement.GetProperty("posterior");
            Assert.Equal("bayes", doc.RootElement.GetProperty("method").GetString());
            foreach (var key in new[] { "mean", "sd", "q2.5", "q50", "q97.5", "mcse", "ess_bulk", "ess_tail", "rhat" })
            {
                Assert.Equal(JsonValueKind.Number, post.GetProperty("fixef").GetProperty("period2").GetProperty(key).ValueKind);
                Assert.Equal(JsonValueKind.Number, post.GetProperty("varcorr").GetProperty("herd").GetProperty("sd").GetProperty("(Intercept)").GetProperty(key).ValueKind);
            }
            Assert.Equal(JsonValueKind.Null, post.GetProperty("dispersion").ValueKind);
            Assert.Equal(2, post.GetProperty("sampler").GetProperty("chains").GetInt32());
            // The fit's fixef are the posterior means.
            Assert.Equal(post.GetProperty("fixef").GetProperty("period2").GetProperty("mean").GetDouble(),
                doc.RootElement.GetProperty("fixef").GetProperty("period2").GetDouble());
            var lines = File.ReadAllLines(draws);
            Assert.Equal(".chain,.iteration,.draw,(Intercept),period2,period3,period4,\"sd(herd, (Intercept))\",lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__", lines[0]);
            Assert.Equal(1 + 2 * 200, lines.Length);
            Assert.StartsWith("2,200,400,", lines[^1]);
            var ranefLines = File.ReadAllLines(ranef);
            Assert.Equal(".chain,.iteration,herd,term,value", ranefLines[0]);
            Assert.Equal(1 + 3 * 15, ranefLines.Length);

            // The same run with the draws to Parquet: the same columns and the same numbers as the CSV.
            string drawsParquet = Path.Combine(dir, "draws.parquet"), ranefParquet = Path.Combine(dir, "ranef.parquet");
            code = CliProgram.Run(["fit", "--data", Fixtures.Path("cbpp.csv"), "--factor", "herd,period", "--family", "binomial",
                "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--device", "cpu", "--quiet",
                "--method", "bayes", "--chains", "2", "--iter", "400", "--seed", "3", "--prior", "sd ~ exponential(1)",
                "--draws", drawsParquet, "--ranef-draws", ranefParquet, "--ranef-draw-count", "3"], new StringWriter(), stderr);
            Assert.True(code is 0 or 1, stderr.ToString());
            AssertSameTable(GlmmGpu.Data.CsvLoader.Load(draws), GlmmGpu.Data.ParquetLoader.Load(drawsParquet));
            AssertSameTable(GlmmGpu.Data.CsvLoader.Load(ranef), GlmmGpu.Data.ParquetLoader.Load(ranefParquet));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertSameTable(GlmmGpu.Data.DataTable csv, GlmmGpu.Data.DataTable parquet)
    {
        Assert.Equal(csv.Columns.Select(c => c.Name), parquet.Columns.Select(c => c.Name));
        Assert.Equal(csv.RowCount, parquet.RowCount);
        for (int c = 0; c < csv.Columns.Count; c++)
            switch (csv.Columns[c], parquet.Columns[c])
            {
                case (GlmmGpu.Data.NumericColumn a, GlmmGpu.Data.NumericColumn b):
                    for (int i = 0; i < csv.RowCount; i++)
                        Assert.True(a.Values[i].Equals(b.Values[i]), $"column {a.Name} row {i + 1}: {a.Values[i]:R} in the CSV, {b.Values[i]:R} in the Parquet file");
                    break;
                case (GlmmGpu.Data.StringColumn a, GlmmGpu.Data.StringColumn b):
                    Assert.Equal(a.Values.Take(csv.RowCount), b.Values.Take(csv.RowCount));
                    break;
                case (GlmmGpu.Data.NumericColumn a, GlmmGpu.Data.StringColumn b):
                    // Level labels that look like numbers: the CSV reads them as numbers, the Parquet file keeps text.
                    Assert.Equal(a.Values.Take(csv.RowCount).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)), b.Values.Take(csv.RowCount));
                    break;
                default:
                    Assert.Fail($"column {csv.Columns[c].Name} has different types");
                    break;
            }
    }
}

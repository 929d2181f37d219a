using System.Text.Json;
using GlmmGpu.Cli;
using GlmmGpu.Fitting.Bayes;
using Xunit;

namespace GlmmGpu.Tests.Cli;

/// <summary><c>glmm fit --method bayes --sampler grid</c>: its options, their errors, and a run's summary and JSON.</summary>
public class GridSamplerCommandTests
{
    private static readonly string[] Base = ["--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--family", "binomial"];

    private static FitRequest Request(params string[] extra) =>
        FitCommand.ParseRequest(ArgumentParser.Parse(Base.Concat(extra).ToArray(), FitCommand.Options, FitCommand.Name));

    [Fact]
    public void ParsesTheGridOptions()
    {
        var grid = Request("--method", "bayes", "--sampler", "grid", "--grid-step", "0.75", "--grid-threshold", "4", "--nagq", "9").Bayes!;
        Assert.Equal(BayesAlgorithm.Grid, grid.Algorithm);
        Assert.Equal(0.75, grid.Grid.Step);
        Assert.Equal(4.0, grid.Grid.Threshold);
        var defaults = Request("--method", "bayes", "--sampler", "grid").Bayes!;
        Assert.Equal((1.0, (double?)null, 0), (defaults.Grid.Step, defaults.Grid.Threshold, defaults.Grid.Draws));
        Assert.Equal(4000, Request("--method", "bayes", "--sampler", "grid", "--draws", "d.csv").Bayes!.Grid.Draws);
        Assert.Equal(250, Request("--method", "bayes", "--sampler", "grid", "--draws", "d.csv", "--grid-draws", "250", "--seed", "4").Bayes!.Grid.Draws);
        Assert.Equal(0, Request("--method", "bayes", "--draws", "d.csv").Bayes!.Grid.Draws);
        // qchisq(0.999, m) / 2 for m = 1 and 3.
        Assert.Equal(5.413783, defaults.Grid.ThresholdFor(1), 6);
        Assert.Equal(8.133118, defaults.Grid.ThresholdFor(3), 6);
        Assert.Equal(BayesAlgorithm.Nuts, Request("--method", "bayes").Bayes!.Algorithm);
        Assert.Equal(BayesAlgorithm.Nuts, Request("--method", "bayes", "--sampler", "nuts").Bayes!.Algorithm);
    }

    [Theory]
    [InlineData(new[] { "--method", "bayes", "--sampler", "inla" }, "option --sampler takes nuts or grid, not 'inla'")]
    [InlineData(new[] { "--sampler", "grid" }, "option --sampler applies only to --method bayes")]
    [InlineData(new[] { "--method", "bayes", "--grid-step", "0.5" }, "option --grid-step applies only to --sampler grid")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "nuts", "--grid-threshold", "3" }, "option --grid-threshold applies only to --sampler grid")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--grid-step", "0" }, "option --grid-step needs a number above 0 and at most 3, not '0'")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--grid-step", "x" }, "option --grid-step needs a number above 0 and at most 3, not 'x'")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--grid-threshold", "-1" }, "option --grid-threshold needs a number above 0 and at most 20, not '-1'")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--chains", "2" }, "option --chains applies only to --sampler nuts")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--ranef-draws", "r.csv" }, "option --ranef-draws applies only to --sampler nuts")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--grid-draws", "100" }, "option --grid-draws goes with --draws FILE")]
    [InlineData(new[] { "--method", "bayes", "--grid-draws", "100", "--draws", "d.csv" }, "option --grid-draws applies only to --sampler grid")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--draws", "d.csv", "--grid-draws", "0" }, "option --grid-draws must be between 1 and 10000000")]
    [InlineData(new[] { "--method", "bayes", "--sampler", "grid", "--iter", "100" }, "option --iter applies only to --sampler nuts")]
    public void BadOptionsAreNamed(string[] extra, string expected) =>
        Assert.Contains(expected, Assert.Throws<UsageException>(() => Request(extra)).Message);

    [Fact]
    public void AGridFitPrintsThePosteriorAndWritesItsJson()
    {
        string dir = Path.Combine(Path.GetTempPath(), "glmm-grid-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string json = Path.Combine(dir, "fit.json"), draws = Path.Combine(dir, "draws.csv");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = CliProgram.Run(["fit", "--data", Fixtures.Path("cbpp.csv"), "--factor", "herd,period", "--family", "binomial",
                "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--device", "cpu", "--quiet",
                "--method", "bayes", "--sampler", "grid", "--prior", "sd ~ exponential(1)", "--json", json,
                "--draws", draws, "--grid-draws", "30", "--seed", "2"], stdout, stderr);
            Assert.Equal(0, code);
            string text = stdout.ToString();
            Assert.Contains("a grid over the variance parameters on the marginal posterior (Laplace approximation)", text);
            Assert.Contains("   Grid: 1 variance parameter, step 1, threshold 5.414;", text);
            Assert.Contains("evaluated (deterministic; 30 independent draws)", text);
            var lines = File.ReadAllLines(draws);
            Assert.Equal(".chain,.iteration,.draw,(Intercept),period2,period3,period4,\"sd(herd, (Intercept))\"", lines[0]);
            Assert.Equal(31, lines.Length);
            Assert.StartsWith("1,30,30,", lines[^1]);
            Assert.Contains("No Monte Carlo error: MCSE is 0, and ESS and R-hat do not apply (NA).", text);
            Assert.DoesNotContain("Sampler:", text);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var post = doc.RootElement.GetProperty("posterior");
            foreach (var summary in new[] { post.GetProperty("fixef").GetProperty("period2"), post.GetProperty("varcorr").GetProperty("herd").GetProperty("sd").GetProperty("(Intercept)") })
            {
                foreach (var key in new[] { "mean", "sd", "q2.5", "q50", "q97.5" }) Assert.Equal(JsonValueKind.Number, summary.GetProperty(key).ValueKind);
                Assert.Equal(0.0, summary.GetProperty("mcse").GetDouble());
                foreach (var key in new[] { "ess_bulk", "ess_tail", "rhat" }) Assert.Equal(JsonValueKind.Null, summary.GetProperty(key).ValueKind);
            }
            var grid = post.GetProperty("grid");
            Assert.Equal(1, grid.GetProperty("variance_parameters").GetInt32());
            Assert.True(grid.GetProperty("points_evaluated").GetInt32() > grid.GetProperty("points_kept").GetInt32());
            Assert.False(post.TryGetProperty("sampler", out _));
            Assert.Equal(post.GetProperty("fixef").GetProperty("period2").GetProperty("mean").GetDouble(),
                doc.RootElement.GetProperty("fixef").GetProperty("period2").GetDouble());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

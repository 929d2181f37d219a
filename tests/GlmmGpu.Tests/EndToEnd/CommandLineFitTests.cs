using System.Text.Json;
using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>The glmm command as a user runs it: real fits on the reference data, JSON out, clear errors.</summary>
public class CommandLineFitTests
{
    [Fact]
    public void FitWritesSummaryAndJsonThatAgreeWithLme4()
    {
        var json = Path.Combine(Path.GetTempPath(), $"glmm-cbpp-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial",
                "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--method", "agq", "--nagq", "25", "--json", json);
            Assert.True(code == 0, stderr);
            Assert.Contains("Adaptive Gauss-Hermite", stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var root = doc.RootElement;
            var reference = Fixtures.Json("cbpp_agq30_ml.json");
            Assert.Equal("agq", root.GetProperty("method").GetString());
            Assert.Equal(25, root.GetProperty("nAGQ").GetInt32());
            Assert.Equal(56, root.GetProperty("nobs").GetInt32());
            Assert.Equal(15, root.GetProperty("ngroups").GetProperty("herd").GetInt32());
            foreach (var p in reference.GetProperty("fixef").EnumerateObject())
                Assert.Equal(p.Value.GetDouble(), root.GetProperty("fixef").GetProperty(p.Name).GetDouble(), 3);
            // The full log-likelihood (lme4 prints -50.0 here, without the binomial constants).
            Assert.Equal(reference.GetProperty("loglik").GetDouble(), root.GetProperty("loglik").GetDouble(), 3);
            Assert.Equal(15, root.GetProperty("ranef").GetProperty("herd").EnumerateObject().Count());
            Assert.True(root.GetProperty("converged").GetBoolean());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void DemoFitsTheBuiltInData()
    {
        var (code, stdout, stderr) = Run("demo", "--device", "cpu");
        Assert.True(code == 0, stderr);
        Assert.Contains("-92.0", stdout);
        Assert.Matches(@"\(Intercept\)\s+-1\.398", stdout);
        Assert.Contains("herd   (Intercept)", stdout);
    }

    [Fact]
    public void GaussianDefaultsToReml()
    {
        var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("sleepstudy.csv"), "--family", "gaussian",
            "--formula", "Reaction ~ Days + (Days | Subject)");
        Assert.True(code == 0, stderr);
        Assert.Contains("REML", stdout);
        Assert.Contains("251.405", stdout);
    }

    [Theory]
    [InlineData("y ~ x + (1 | nosuch)", "nosuch")]
    [InlineData("y ~ x + (1 | g) + (1 | g)", "each effect may appear once per grouping factor")]
    [InlineData("y ~ x + (1 | g", "formula error")]
    public void BadModelsGetOneClearSentence(string formula, string expected)
    {
        var (code, _, stderr) = Run("fit", "--data", Fixtures.Path("sim_binary_slope.csv"), "--family", "binomial", "--formula", formula);
        Assert.Equal(1, code);
        Assert.StartsWith("glmm: error: ", stderr);
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void PoissonCountsMustBeWholeAndNonNegative()
    {
        var (code, _, stderr) = Run("fit", "--data", Fixtures.Path("sim_gamma.csv"), "--family", "poisson", "--formula", "y ~ x + (1 | g)");
        Assert.Equal(1, code);
        Assert.Contains("'y'", stderr);
    }

    [Fact]
    public void NonConvergenceIsReportedOnStderrAndInTheExitStatus()
    {
        var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("sim_binary_slope.csv"), "--family", "binomial",
            "--formula", "y ~ x + z + (1 + x | g)", "--max-iterations", "2");
        Assert.Equal(1, code);
        Assert.Contains("glmm: warning: Model failed to converge", stderr);
        Assert.Contains("Model failed to converge", stdout);
    }

    [Fact]
    public void PqlWithUnitScaleIsBreslowAndClayton()
    {
        var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial",
            "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)", "--method", "pql", "--pql-scale", "fixed");
        Assert.True(code == 0, stderr);
        Assert.Contains("quasi-likelihood", stdout, StringComparison.OrdinalIgnoreCase);
    }
}

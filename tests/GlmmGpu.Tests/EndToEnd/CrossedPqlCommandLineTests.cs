using System.Text.Json;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary><c>glmm fit --method pql</c> with nested factors: glmmPQL's summary (no likelihood, a residual row), the
/// groups line, and the JSON's residual scale and modes per factor, at glmmPQL's estimates; and the intervals that
/// do not yet take several factors (the profile, and the bootstrap, whose responses are drawn for one factor).</summary>
public class CrossedPqlCommandLineTests
{
    [Fact]
    public void NestedPqlPrintsEveryFactorAndTheResidualScaleAndWritesTheirModes()
    {
        string json = Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("sim_nested_binary.csv"), "--factor", "school,class", "--family", "binomial",
                "--method", "pql", "--formula", "y ~ x + z + (1 | school/class)", "--json", json, "--quiet");
            Assert.True(code == 0, stderr);
            Assert.Contains("penalized quasi-likelihood (glmmPQL)", stdout);
            Assert.Contains("Number of obs: 2400, groups:  school:class, 200; school, 40", stdout);
            Assert.Contains(" Residual ", stdout);
            Assert.Contains("there is no logLik", stdout);
            Assert.DoesNotContain("deviance df.resid", stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var root = doc.RootElement;
            Assert.Equal("pql", root.GetProperty("method").GetString());
            Assert.True(root.GetProperty("converged").GetBoolean());
            // glmmPQL's residual SD and x (Fixtures/sim_nested_binary_pql.json).
            Assert.Equal(0.957297290395467, root.GetProperty("residual_sd").GetDouble(), 3);
            Assert.Equal(0.616537128640237, root.GetProperty("fixef").GetProperty("x").GetDouble(), 3);
            Assert.Equal(200, root.GetProperty("ranef").GetProperty("school:class").EnumerateObject().Count());
            Assert.Equal(40, root.GetProperty("ranef").GetProperty("school").EnumerateObject().Count());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Theory]
    [InlineData("profile")]
    [InlineData("boot")]
    public void IntervalsBeyondWaldWithSeveralFactorsAreRefusedNamingThem(string method)
    {
        var (code, _, stderr) = Run("fit", "--data", Fixtures.Path("penicillin.csv"), "--family", "gaussian", "--quiet",
            "--formula", "diameter ~ 1 + (1 | plate) + (1 | sample)", "--confint", method);
        Assert.Equal(1, code);
        Assert.Contains($"--confint {method} needs a single grouping factor for now, and the formula has 2 ('plate', 'sample'): use --confint wald", stderr);
    }
}

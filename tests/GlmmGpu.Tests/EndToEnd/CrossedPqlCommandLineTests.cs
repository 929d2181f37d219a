using System.Text.Json;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary><c>glmm fit --method pql</c> with nested factors: glmmPQL's summary (no likelihood, a residual row), the
/// groups line, and the JSON's residual scale and modes per factor, at glmmPQL's estimates; and the profile and
/// bootstrap intervals with several factors.</summary>
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

    /// <summary>Both factors' SDs get intervals, printed and in the JSON.</summary>
    [Theory]
    [InlineData("profile", "Profile confidence intervals", "diameter ~ 1 + (1 | plate) + (1 | sample)", "plate", "sample")]
    [InlineData("boot", "Parametric bootstrap percentile intervals (200 replicates)", "diameter ~ 1 + (1 | plate) + (1 | sample)", "plate", "sample")]
    public void IntervalsWithSeveralFactorsCoverEveryFactor(string method, string heading, string formula, string first, string second)
    {
        string json = Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}.json");
        try
        {
            string[] arguments = ["fit", "--data", Fixtures.Path("penicillin.csv"), "--family", "gaussian", "--method", "ml", "--quiet",
                "--formula", formula, "--confint", method, "--json", json];
            var (code, stdout, stderr) = Run(method == "boot" ? [.. arguments, "--nsim", "200"] : arguments);
            Assert.True(code == 0, stderr);
            Assert.Contains(heading, stdout);
            Assert.Contains("sd_(Intercept)|plate", stdout);
            Assert.Contains("sd_(Intercept)|sample", stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var varcorr = doc.RootElement.GetProperty("confint").GetProperty("varcorr");
            foreach (var factor in new[] { first, second })
            {
                var sd = varcorr.GetProperty(factor).GetProperty("sd").GetProperty("(Intercept)");
                Assert.True(sd[0].GetDouble() > 0 && sd[1].GetDouble() > sd[0].GetDouble(), $"{factor}: {sd}");
            }
        }
        finally
        {
            File.Delete(json);
        }
    }
}

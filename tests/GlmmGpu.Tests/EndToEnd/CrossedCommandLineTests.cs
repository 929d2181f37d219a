using System.Globalization;
using System.Text.Json;
using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>Several grouping factors from the command line: the summary's table and groups line, the JSON's modes per
/// factor, prediction with a level new to one factor, the device note, and the methods that refuse them.</summary>
public class CrossedCommandLineTests
{
    private const string Pastes = "strength ~ 1 + (1 | batch/cask)";

    private static string Temp(string extension) => Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}{extension}");

    [Fact]
    public void NestedFitPrintsEveryFactorAndPredictsNewLevelsOfOneFactorWithTheOthers()
    {
        string json = Temp(".json"), data = Temp(".csv"), predictions = Temp(".csv");
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("pastes.csv"), "--family", "gaussian", "--formula", Pastes, "--json", json);
            Assert.True(code == 0, stderr);
            Assert.Contains("Number of obs: 60, groups:  batch:cask, 30; batch, 10", stdout);
            Assert.Contains(" batch:cask (Intercept)", stdout);
            Assert.Contains(" batch      (Intercept)", stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var root = doc.RootElement;
            Assert.Equal(30, root.GetProperty("ngroups").GetProperty("batch:cask").GetInt32());
            var caskModes = root.GetProperty("ranef").GetProperty("batch:cask");
            var batchModes = root.GetProperty("ranef").GetProperty("batch");
            Assert.Equal(30, caskModes.EnumerateObject().Count());
            Assert.Equal(10, batchModes.EnumerateObject().Count());
            double intercept = root.GetProperty("fixef").GetProperty("(Intercept)").GetDouble();
            double Mode(JsonElement factor, string level)
            {
                var v = factor.GetProperty(level);
                return v.ValueKind == JsonValueKind.Array ? v[0].GetDouble() : v.GetDouble();
            }
            // Batch A's cask a (both known), cask zz of batch A (new to batch:cask only) and a new batch (new to both):
            // a new level gets no effect, the other factor's known level keeps its own.
            File.WriteAllLines(data, ["strength,batch,cask", "62.8,A,a", "60,A,zz", "60,NEW,a"]);
            (code, _, stderr) = Run("predict", "--model", json, "--data", data, "--out", predictions);
            Assert.True(code == 0, stderr);
            Assert.Contains("2", stderr);
            var fitted = File.ReadAllLines(predictions).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(intercept + Mode(batchModes, "A") + Mode(caskModes, "A:a"), fitted[0], 9);
            Assert.Equal(intercept + Mode(batchModes, "A"), fitted[1], 9);
            Assert.Equal(intercept, fitted[2], 9);
        }
        finally
        {
            foreach (var f in new[] { json, data, predictions }) File.Delete(f);
        }
    }

    [Fact]
    public void AskingForAGpuSaysTheCpuPathRunsSeveralFactors()
    {
        var (code, _, stderr) = Run("fit", "--data", Fixtures.Path("pastes.csv"), "--family", "gaussian", "--formula", Pastes, "--device", "ilgpu-cpu", "--verbose");
        Assert.True(code == 0, stderr);
        Assert.Contains("--device ilgpu-cpu asked for, but several grouping factors are fitted on the CPU path", stderr);
    }

    [Theory]
    [InlineData("agq", "needs a single grouping factor, and the formula has 2 ('batch', 'batch:cask')")]
    public void MethodsForOneFactorRefuseSeveralClearly(string method, string expected)
    {
        var (code, _, stderr) = Run("fit", "--data", Fixtures.Path("pastes.csv"), "--family", "gaussian", "--link", "log", "--formula", Pastes, "--method", method);
        Assert.Equal(1, code);
        Assert.StartsWith("glmm: error: ", stderr);
        Assert.Contains(expected, stderr);
    }

    /// <summary>A Bayesian fit with nested factors prints each factor's SDs and writes them under the posterior's varcorr.</summary>
    [Fact]
    public void BayesWithNestedFactorsSummarisesEveryFactor()
    {
        string json = Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}.json");
        try
        {
            // Short chains: R-hat may exceed 1.01 (exit status 1, the fit not converged); the output is what is checked.
            var (_, stdout, stderr) = Run("fit", "--data", Fixtures.Path("sim_nested_binary.csv"), "--factor", "school,class", "--family", "binomial",
                "--formula", "y ~ x + z + (1 | school/class)", "--method", "bayes", "--iter", "200", "--chains", "2", "--seed", "3", "--json", json, "--quiet");
            Assert.DoesNotContain("error", stderr);
            Assert.Contains("Random effects (school:class):", stdout);
            Assert.Contains("Random effects (school):", stdout);
            Assert.Contains("sd(school:class, (Intercept)) ~ exponential(1) (default)", stdout);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
            var varcorr = doc.RootElement.GetProperty("posterior").GetProperty("varcorr");
            foreach (var factor in new[] { "school:class", "school" })
            {
                double mean = varcorr.GetProperty(factor).GetProperty("sd").GetProperty("(Intercept)").GetProperty("mean").GetDouble();
                Assert.True(mean is > 0.3 and < 1.2, $"{factor}: {mean}");
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Theory]
    [InlineData("--sampler grid", "--sampler grid needs a single grouping factor for now, and the formula has 2")]
    [InlineData("--nagq 5", "--method bayes with --nagq 5 needs a single grouping factor")]
    [InlineData("--ranef-draws /tmp/never.csv", "--ranef-draws needs a single grouping factor for now")]
    public void BayesOptionsForOneFactorRefuseSeveralClearly(string option, string expected)
    {
        var (code, _, stderr) = Run(["fit", "--data", Fixtures.Path("sim_nested_binary.csv"), "--factor", "school,class", "--family", "binomial",
            "--formula", "y ~ x + z + (1 | school/class)", "--method", "bayes", .. option.Split(' ')]);
        Assert.Equal(1, code);
        Assert.Contains(expected, stderr);
    }
}

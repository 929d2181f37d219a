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
    [InlineData("bayes", "--method bayes needs a single grouping factor for now, and the formula has 2 ('batch', 'batch:cask')")]
    public void MethodsForOneFactorRefuseSeveralClearly(string method, string expected)
    {
        var (code, _, stderr) = Run("fit", "--data", Fixtures.Path("pastes.csv"), "--family", "gaussian", "--link", "log", "--formula", Pastes, "--method", method);
        Assert.Equal(1, code);
        Assert.StartsWith("glmm: error: ", stderr);
        Assert.Contains(expected, stderr);
    }
}

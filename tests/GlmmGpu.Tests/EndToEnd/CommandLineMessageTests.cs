using System.Text.Json.Nodes;
using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>
/// Messages that say what went wrong, before any work where they can: output files that cannot be written, a
/// malformed model file, predictions for groups the fit did not see or from a fit that did not converge.
/// </summary>
public class CommandLineMessageTests
{
    private const string CbppFormula = "cbind(incidence, size - incidence) ~ period + (1 | herd)";

    private static string Temp(string extension) => Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}{extension}");

    private static string[] Fit(params string[] extra) =>
        new[] { "fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial", "--device", "cpu", "--formula", CbppFormula }.Concat(extra).ToArray();

    /// <summary>The cbpp fit's JSON, written once per test that needs it.</summary>
    private static string CbppJson()
    {
        var json = Temp(".json");
        var (code, _, stderr) = Run(Fit("--json", json));
        Assert.True(code == 0, stderr);
        return json;
    }

    [Fact]
    public void JsonThatCannotBeWrittenIsRefusedBeforeTheFit()
    {
        // /proc takes no new files, not even from root.
        var (code, stdout, stderr) = Run(Fit("--json", "/proc/glmm-fit.json"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("glmm: error: cannot write --json '/proc/glmm-fit.json': no file can be created there (", stderr);
    }

    [Fact]
    public void JsonOverTheDataIsAUsageError()
    {
        var data = Temp(".csv");
        File.Copy(Fixtures.Path("cbpp.csv"), data);
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", data, "--family", "binomial", "--formula", CbppFormula,
                "--json", Path.Combine(Path.GetDirectoryName(data)!, ".", Path.GetFileName(data)));
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains("is the --data file, which it would overwrite; give another file name", stderr);
            Assert.Equal(File.ReadAllText(Fixtures.Path("cbpp.csv")), File.ReadAllText(data));
        }
        finally
        {
            File.Delete(data);
        }
    }

    [Fact]
    public void SimulateIntoAMissingFolderIsAnError()
    {
        var folder = Temp("");
        var (code, _, stderr) = Run("simulate", "--rows", "100", "--groups", "5", "--family", "poisson", "--out", Path.Combine(folder, "sim.csv"));
        Assert.Equal(1, code);
        Assert.Equal($"glmm: error: cannot write --out '{Path.Combine(folder, "sim.csv")}': directory '{folder}' does not exist", stderr.Trim());
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void PredictOverItsOwnInputsIsAUsageError()
    {
        var json = CbppJson();
        try
        {
            var (code, _, stderr) = Run("predict", "--model", json, "--data", Fixtures.Path("cbpp.csv"), "--out", json);
            Assert.Equal(2, code);
            Assert.Contains($"option --out '{json}' is the --model file", stderr);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Theory]
    [InlineData("fixef", "[1, 2]", "'fixef' must be an object, not an array")]
    [InlineData("formula", "3", "'formula' must be a string, not the number 3")]
    [InlineData("family", "\"banana\"", "has 'family' 'banana': unknown family 'banana'")]
    [InlineData("levels", "{\"period\": \"x\"}", "'levels.period' must be an array of strings, not the string \"x\"")]
    [InlineData("ranef", "{\"herd\": {\"1\": 3}}", "'ranef.herd.1' must be an array of numbers, not the number 3")]
    [InlineData("formula", "\"y ~ (\"", "its 'formula' does not parse (formula error at position 5")]
    public void AMalformedModelFileNamesTheKey(string key, string value, string expected)
    {
        var json = CbppJson();
        var output = Temp(".csv");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            root[key] = JsonNode.Parse(value);
            File.WriteAllText(json, root.ToJsonString());
            var (code, _, stderr) = Run("predict", "--model", json, "--data", Fixtures.Path("cbpp.csv"), "--out", output);
            Assert.Equal(1, code);
            Assert.Contains(expected, stderr);
            Assert.DoesNotContain("requested operation", stderr);
        }
        finally
        {
            File.Delete(json);
            File.Delete(output);
        }
    }

    [Fact]
    public void UnseenGroupsAndMissingValuesAreCountedOnStderr()
    {
        var json = CbppJson();
        var data = Temp(".csv");
        var output = Temp(".csv");
        try
        {
            File.WriteAllText(data, "herd,period\n\"1\",\"2\"\n\"3\",\n\"99\",\"4\"\n\"98\",\"1\"\n");
            var (code, _, stderr) = Run("predict", "--model", json, "--data", data, "--out", output);
            Assert.Equal(0, code);
            Assert.Equal(new[]
            {
                "glmm: note: 2 of 4 rows are in groups the fit did not see: they got the population prediction, without random effects",
                "glmm: note: 1 of 4 rows miss a value the model needs: their prediction is NA",
            }, stderr.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(json);
            File.Delete(data);
            File.Delete(output);
        }
    }

    [Fact]
    public void PredictingFromAFitThatDidNotConvergeWarns()
    {
        var json = CbppJson();
        var output = Temp(".csv");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            root["converged"] = false;
            File.WriteAllText(json, root.ToJsonString());
            var (code, _, stderr) = Run("predict", "--model", json, "--data", Fixtures.Path("cbpp.csv"), "--out", output);
            Assert.Equal(0, code);
            Assert.Equal($"glmm: warning: the fit in {Path.GetFileName(json)} did not converge: its estimates, and so these predictions, may be wrong", stderr.Trim());
        }
        finally
        {
            File.Delete(json);
            File.Delete(output);
        }
    }
}

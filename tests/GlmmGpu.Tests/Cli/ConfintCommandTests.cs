using System.Text.Json;
using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.Cli;

/// <summary><c>glmm fit --confint</c>: the intervals under the summary as R prints <c>confint</c>, the JSON's
/// <c>confint</c> object, and usage errors that name the option.</summary>
public class ConfintCommandTests
{
    private static string[] Cbpp(params string[] extra) =>
        new[] { "fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial", "--quiet",
            "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)" }.Concat(extra).ToArray();

    [Fact]
    public void ProfileIsPrintedAndWrittenToTheJson()
    {
        string json = Path.Combine(Path.GetTempPath(), $"confint-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = Run(Cbpp("--confint", "profile", "--json", json));
            Assert.True(code == 0, stderr);
            Assert.Contains("Profile confidence intervals:", stdout);
            Assert.Matches(@"\s+2\.5 %\s+97\.5 %", stdout);
            Assert.Matches(@"sd_\(Intercept\)\|herd\s+0\.3460\d+\s+1\.0999\d+", stdout);
            var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("confint");
            Assert.Equal("profile", root.GetProperty("method").GetString());
            Assert.Equal(0.95, root.GetProperty("level").GetDouble());
            Assert.Equal(-1.6167833, root.GetProperty("fixef").GetProperty("period2")[0].GetDouble(), 3);
            var sd = root.GetProperty("varcorr").GetProperty("herd").GetProperty("sd").GetProperty("(Intercept)");
            Assert.Equal(1.0999748, sd[1].GetDouble(), 3);
            Assert.Equal(0, root.GetProperty("varcorr").GetProperty("herd").GetProperty("corr").GetArrayLength());
            Assert.False(root.TryGetProperty("sigma", out _));
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void BootstrapWritesItsSdsAndLinearModelsTheirSigma()
    {
        string json = Path.Combine(Path.GetTempPath(), $"confint-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("sleepstudy.csv"), "--family", "gaussian", "--method", "ml", "--quiet",
                "--formula", "Reaction ~ Days + (Days | Subject)", "--confint", "boot", "--nsim", "20", "--seed", "3", "--level", "0.9", "--json", json);
            Assert.True(code == 0, stderr);
            Assert.Contains("Parametric bootstrap percentile intervals (20 replicates):", stdout);
            Assert.Matches(@"\s+5 %\s+95 %\s+boot SD", stdout);
            Assert.Contains("cor_Days.(Intercept)|Subject", stdout);
            var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("confint");
            Assert.Equal("boot", root.GetProperty("method").GetString());
            Assert.Equal(20, root.GetProperty("nsim").GetInt32());
            var sigma = root.GetProperty("sigma");
            Assert.True(sigma[0].GetDouble() > 20 && sigma[1].GetDouble() < 32);
            Assert.Equal(1, root.GetProperty("varcorr").GetProperty("Subject").GetProperty("corr").GetArrayLength());
            Assert.True(root.GetProperty("boot_sd").GetProperty("fixef").GetProperty("Days").GetDouble() > 0);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void WaldPrintsNaForVarianceParameters()
    {
        var (code, stdout, _) = Run(Cbpp("--confint", "wald"));
        Assert.Equal(0, code);
        Assert.Matches(@"sd_\(Intercept\)\|herd\s+NA\s+NA", stdout);
    }

    [Theory]
    [InlineData("--confint", "spline", "--confint takes wald, profile or boot")]
    [InlineData("--confint", "profile", "--level", "1.5", "--level must lie strictly between 0 and 1")]
    [InlineData("--confint", "wald", "--level", "abc", "--level needs a number")]
    [InlineData("--confint", "boot", "--nsim", "0", "--nsim must be between 1")]
    [InlineData("--confint", "profile", "--nsim", "10", "--nsim goes with --confint boot")]
    [InlineData("--level", "0.9", "--level goes with --confint")]
    [InlineData("--method", "pql", "--confint", "profile", "PQL fits have Wald intervals only")]
    public void BadOptionsAreUsageErrorsNamingTheOption(params string[] args)
    {
        var (code, _, stderr) = Run(Cbpp(args[..^1]));
        Assert.Equal(2, code);
        Assert.Contains(args[^1], stderr);
    }
}

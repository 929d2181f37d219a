using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.Cli;

/// <summary><c>glmm simulate</c> with several grouping factors: the options, the file and formula they give, and the
/// usage errors.</summary>
public class SimulateFactorsCommandTests
{
    [Fact]
    public void CrossedAndNestedFactorsWriteTheirColumnsAndTheFormulaToFit()
    {
        string first = Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}.csv"), second = first + ".2.csv";
        try
        {
            string[] args = ["simulate", "--rows", "3000", "--groups", "site=10", "--groups", "ward=3/site", "--groups", "nurse=25",
                "--sd", "0.4", "--sd", "ward=0.3", "--slope-sd", "nurse=0.2", "--family", "binomial", "--seed", "9"];
            var (code, _, stderr) = Run([.. args, "--out", first]);
            Assert.True(code == 0, stderr);
            Assert.Contains("formula: y ~ x1 + x2 + x3 + x4 + (1 | site) + (1 | site:ward) + (1 + x1 || nurse)", stderr);
            Assert.Contains("random-effect SDs for site:ward (30 levels): (Intercept) = 0.3", stderr);
            Assert.Contains("random-effect SDs for nurse (25 levels): (Intercept) = 0.4, x1 = 0.2 (uncorrelated)", stderr);
            Assert.Equal("site,ward,nurse,x1,x2,x3,x4,y", File.ReadLines(first).First());
            (code, _, stderr) = Run([.. args, "--out", second]);
            Assert.True(code == 0, stderr);
            Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
            // The file fits with the formula printed (the nested factor as lme4 writes it).
            (code, var stdout, stderr) = Run("fit", "--data", first, "--family", "binomial", "--factor", "site,ward,nurse", "--quiet",
                "--formula", "y ~ x1 + x2 + x3 + x4 + (1 | site/ward) + (1 + x1 || nurse)");
            Assert.True(code is 0 or 1, stderr);
            Assert.Contains("groups:  site:ward, 30; nurse, 25; site, 10", stdout);
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Theory]
    [InlineData("--groups=50|--groups=item=4", "give either one number of groups, or every factor as NAME=LEVELS")]
    [InlineData("--groups=a=5|--sd=b=0.3", "option --sd: 'b' is not a factor of --groups (a)")]
    [InlineData("--groups=a=5|--groups=b=2/a|--slope-sd=b=-1", "option --slope-sd needs a non-negative number, not '-1'")]
    [InlineData("--groups=a=5|--groups=b=x/a", "option --groups needs a whole number of levels of 'b', not 'x'")]
    [InlineData("--groups=50|--slope-sd=g=0.2", "option --slope-sd names a factor")]
    public void BadFactorOptionsAreUsageErrors(string options, string expected)
    {
        var args = new List<string> { "simulate", "--rows", "100", "--family", "poisson", "--out", "never-written.csv" };
        foreach (var option in options.Split('|'))
        {
            int eq = option.IndexOf('=');
            args.Add(option[..eq]);
            args.Add(option[(eq + 1)..]);
        }
        var (code, _, stderr) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.False(File.Exists("never-written.csv"));
    }
}

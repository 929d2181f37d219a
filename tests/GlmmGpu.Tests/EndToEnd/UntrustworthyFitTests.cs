using System.Globalization;
using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>
/// What <c>glmm fit</c> tells a user about a fit that cannot be trusted: the summary, the warning and the exit status
/// agree, and what could not be computed prints as NA. Each of these had exited 0: the 200-node fit as "converged" at
/// a wrong optimum, the NaN standard errors printed as NaN.
/// </summary>
public class UntrustworthyFitTests
{
    [Fact]
    public void TheMostNodesAcceptedGiveTheFitOfFewer()
    {
        var (code, stdout, stderr) = Run("fit", "--data", Fixtures.Path("grouseticks.csv"), "--factor", "BROOD,YEAR", "--family", "poisson",
            "--formula", "TICKS ~ YEAR + cHEIGHT + (1 | BROOD)", "--nagq", "200");
        Assert.True(code == 0, stderr);
        Assert.Contains("-989.0", stdout);
        Assert.Matches(@"\(Intercept\)\s+0\.5098", stdout);
        Assert.Contains("Optimizer converged", stdout);
    }

    [Fact]
    public void AResponseWithNoVariationIsAnErrorNamingIt()
    {
        var csv = Write("y,x,g", Enumerable.Range(0, 60).Select(i => $"0,{i % 7},g{i / 6}"));
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", csv, "--family", "binomial", "--formula", "y ~ x + (1 | g)");
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Equal("glmm: error: the response 'y' is 0 in every row: a binomial model cannot be fitted to an outcome with no variation",
                stderr.Trim().Split('\n').Last());
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void ASeparatedFitExitsOneAndPrintsNAForWhatRanOff()
    {
        // Level c of f never has an event.
        var random = new Random(5);
        var rows = Enumerable.Range(0, 240).Select(i =>
        {
            string level = ((char)('a' + i % 3)).ToString();
            double x = random.NextDouble() * 2 - 1;
            int y = level == "c" ? 0 : random.NextDouble() < 0.5 + 0.2 * x ? 1 : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{y},{x:R},{level},g{i / 12}");
        });
        var csv = Write("y,x,f,g", rows);
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", csv, "--family", "binomial", "--formula", "y ~ x + f + (1 | g)");
            Assert.Equal(1, code);
            Assert.StartsWith("glmm: warning: Model failed to converge: the fixed effects separate the response (quasi-complete separation along fc)",
                stderr.Split('\n').Single(l => l.Contains("warning", StringComparison.Ordinal)));
            Assert.Matches(@"\nfc\s+-\d+\.\d+\s+NA\s+NA\s+NA", stdout);
            Assert.Contains("Optimizer did not converge", stdout);
            Assert.DoesNotContain("NaN", stdout);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void AGaussianLogFitWithoutAMaximumSaysWhyAndPrintsNoNaN()
    {
        // Half the responses at or below zero, which exp(eta) cannot reach.
        var random = new Random(11);
        var rows = Enumerable.Range(0, 200).Select(i =>
        {
            double x = Normal(random), y = Normal(random);
            return string.Create(CultureInfo.InvariantCulture, $"{y:R},{x:R},g{i / 10}");
        });
        var csv = Write("y,x,g", rows);
        try
        {
            var (code, stdout, stderr) = Run("fit", "--data", csv, "--family", "gaussian", "--link", "log", "--formula", "y ~ x + (1 | g)");
            Assert.Equal(1, code);
            Assert.Contains("glmm: ", stderr);
            var text = stdout + stderr;
            Assert.DoesNotContain("NaN", text);
            Assert.Contains("where the mean of the log link cannot go", text);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static string Write(string header, IEnumerable<string> rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"glmm-trust-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, new[] { header }.Concat(rows));
        return path;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

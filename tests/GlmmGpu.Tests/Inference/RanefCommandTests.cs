using System.Globalization;
using GlmmGpu.Cli;
using GlmmGpu.Prediction;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.Inference;

/// <summary><c>glmm ranef</c> on a saved fit: every factor, term and level, with intervals mode ± z condsd.</summary>
public class RanefCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"glmm-ranef-{Guid.NewGuid():N}");

    public RanefCommandTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ModesConditionalSdsAndIntervalsOfASlopeModel()
    {
        var json = Path.Combine(folder, "fit.json");
        var csv = Path.Combine(folder, "ranef.csv");
        Assert.Equal(0, Run("fit", "--data", Fixtures.Path("sleepstudy.csv"), "--family", "gaussian", "--method", "ml",
            "--formula", "Reaction ~ Days + (Days | Subject)", "--json", json).Code);
        var (code, stdout, stderr) = Run("ranef", json, "--level", "0.9", "--csv", csv);
        Assert.True(code == 0, stderr);
        Assert.Contains("$Subject: (Intercept)", stdout, StringComparison.Ordinal);
        Assert.Contains("$Subject: Days", stdout, StringComparison.Ordinal);
        Assert.Contains("5 %", stdout, StringComparison.Ordinal);
        Assert.Contains("95 %", stdout, StringComparison.Ordinal);

        var lines = File.ReadAllLines(csv);
        Assert.Equal("grpvar,term,grp,condval,condsd,lower,upper", lines[0]);
        Assert.Equal(1 + 18 * 2, lines.Length);
        var saved = SavedFitJson.Read(json).RandomEffects.Single();
        // lme4's condsd for Subject 308 (ML): sqrt(postVar) = sqrt(140.9649) and sqrt(5.157735) (Fixtures/condvar_lme4.json).
        var expectedSd = new Dictionary<string, double> { ["(Intercept)"] = Math.Sqrt(140.964905812912), ["Days"] = Math.Sqrt(5.15773522238427) };
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            double mode = Parse(cells[3]), sd = Parse(cells[4]), lower = Parse(cells[5]), upper = Parse(cells[6]);
            int term = cells[1] == "(Intercept)" ? 0 : 1;
            Assert.Equal(saved.ModesByLevel[cells[2]][term], mode);
            Assert.Equal(mode - 1.6448536269514722 * sd, lower, 10);
            Assert.Equal(mode + 1.6448536269514722 * sd, upper, 10);
            if (cells[2] == "308") Assert.True(Math.Abs(sd / expectedSd[cells[1]] - 1) < 1e-4, $"condsd {sd} for {cells[1]}");
        }
    }

    [Fact]
    public void BadLevelsAndFilesAreErrors()
    {
        var (code, _, stderr) = Run("ranef", Fixtures.Path("cbpp_laplace.json"), "--level", "1.5");
        Assert.Equal(CliProgram.UsageError, code);
        Assert.Contains("--level", stderr, StringComparison.Ordinal);
        (code, _, stderr) = Run("ranef", Fixtures.Path("cbpp.csv"));
        Assert.Equal(CliProgram.DataOrFitError, code);
        (code, _, stderr) = Run("ranef");
        Assert.Equal(CliProgram.UsageError, code);
    }

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}

using System.Text.Json;
using GlmmGpu.Cli;
using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;
using GlmmGpu.Engines;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>The command's warm-up fit on the first rows (<see cref="WarmUpFit"/>) changes nothing the user sees.</summary>
public class WarmUpFitTests
{
    private const int Rows = 60_000;

    private static void WithTemp(Action<string, string> use)
    {
        var csv = Path.Combine(Path.GetTempPath(), $"glmm-warm-{Guid.NewGuid():N}.csv");
        var json = Path.ChangeExtension(csv, ".json");
        try
        {
            use(csv, json);
        }
        finally
        {
            File.Delete(csv);
            File.Delete(json);
        }
    }

    /// <summary>The command's estimates, bit for bit, against a fit of the same file through the library, which has no warm-up.</summary>
    private static void AssertSameAsLibraryFit(string csv, string json, string formula, FitOptions options)
    {
        var direct = Glmm.Fit(CsvLoader.Load(csv), new ModelSpec(formula, FamilyKind.Binomial, null, null), options);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        foreach (var c in direct.FixedEffects)
        {
            Assert.Equal(c.Estimate, root.GetProperty("fixef").GetProperty(c.Name).GetDouble());
            Assert.Equal(c.StdError, root.GetProperty("se").GetProperty(c.Name).GetDouble());
        }
        Assert.Equal(direct.LogLik!.Value, root.GetProperty("loglik").GetDouble());
    }

    [Fact]
    public void LargeDataFitAsWithoutIt()
    {
        WithTemp((csv, json) =>
        {
            Assert.Equal(0, Run("simulate", "--rows", $"{Rows}", "--groups", $"{Rows / 10}", "--family", "binomial", "--out", csv).Code);
            const string formula = "y ~ x1 + x2 + x3 + x4 + (1 | g)";
            var (code, stdout, stderr) = Run("fit", "--data", csv, "--family", "binomial", "--formula", formula,
                "--method", "agq", "--nagq", "7", "--device", "cpu", "--json", json);
            Assert.True(code == 0, stderr);
            Assert.Single(stdout.Split('\n'), l => l.StartsWith("Generalized linear mixed model", StringComparison.Ordinal));
            AssertSameAsLibraryFit(csv, json, formula, new FitOptions { Method = FitMethod.Agq, NAgq = 7, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        });
    }

    [Fact]
    public void FirstRowsThatCannotBeFittedLeaveTheFitAlone()
    {
        WithTemp((csv, json) =>
        {
            // The first 2500 rows share one group: the warm-up's grouping factor has one level, which is an error.
            var random = new Random(11);
            using (var w = new StreamWriter(csv))
            {
                w.WriteLine("g,x,y");
                for (int i = 0; i < Rows; i++)
                {
                    double x = random.NextDouble() - 0.5;
                    w.WriteLine($"{i / 2500},{x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},{(random.NextDouble() < 1 / (1 + Math.Exp(-x)) ? 1 : 0)}");
                }
            }
            Assert.True(WarmUpFit.Rows < 2500);
            Assert.Throws<GlmmException>(() => Glmm.Fit(CsvLoader.Load(csv).Head(WarmUpFit.Rows), new ModelSpec("y ~ x + (1 | g)", FamilyKind.Binomial, null, null)));
            var (code, _, stderr) = Run("fit", "--data", csv, "--family", "binomial", "--formula", "y ~ x + (1 | g)", "--device", "cpu", "--json", json);
            Assert.True(code == 0, stderr);
            AssertSameAsLibraryFit(csv, json, "y ~ x + (1 | g)", new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        });
    }
}

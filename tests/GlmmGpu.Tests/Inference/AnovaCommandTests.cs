using System.Text.Json;
using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.Inference;

/// <summary>
/// <c>glmm anova</c> as a user runs it: two fits saved by <c>glmm fit --json</c>, then the test, against lme4's
/// (cbpp_inference.json, sleepstudy_ml_inference.json) and glmmTMB's (anova_glmmtmb.json: lme4's glmer stops about
/// 2e-4 short of the optimum on cbpp, so its statistic is off by 1.3e-4; glmmTMB's reaches it); and the fits it must
/// refuse, with the reason.
/// </summary>
public class AnovaCommandTests : IDisposable
{
    private const string Cbpp0 = "cbind(incidence, size - incidence) ~ 1 + (1 | herd)";
    private const string Cbpp1 = "cbind(incidence, size - incidence) ~ period + (1 | herd)";
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"glmm-anova-{Guid.NewGuid():N}");

    public AnovaCommandTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Fit(string name, string data, string formula, string family, params string[] more)
    {
        var json = Path.Combine(folder, name + ".json");
        var (code, _, stderr) = Run(["fit", "--data", data, "--family", family, "--formula", formula, "--device", "cpu", "--json", json, .. more]);
        Assert.True(code == 0, stderr);
        return json;
    }

    private static JsonElement Test(string json) => JsonDocument.Parse(File.ReadAllText(json)).RootElement;

    [Fact]
    public void CbppTestOfPeriodAgreesWithGlmmTmbAndBeatsLme4sLikelihoods()
    {
        var m0 = Fit("m0", Fixtures.Path("cbpp.csv"), Cbpp0, "binomial");
        var m1 = Fit("m1", Fixtures.Path("cbpp.csv"), Cbpp1, "binomial");
        var output = Path.Combine(folder, "anova.json");
        var (code, stdout, stderr) = Run("anova", m1, m0, "--json", output);
        Assert.True(code == 0, stderr);

        var table = Test(output);
        var tmb = Fixtures.Json("inference/anova_glmmtmb.json").GetProperty("cbpp");
        var lme4 = Fixtures.Json("inference/cbpp_inference.json").GetProperty("anova");
        double chisq = table.GetProperty("Chisq").GetDouble();
        Assert.True(Math.Abs(chisq - tmb.GetProperty("Chisq").GetDouble()) < 1e-4, $"Chisq {chisq:R} vs glmmTMB's {tmb.GetProperty("Chisq").GetDouble():R}");
        Assert.Equal(3, table.GetProperty("Df").GetInt32());
        double p = table.GetProperty("p").GetDouble();
        Assert.True(Math.Abs(p / tmb.GetProperty("p").GetDouble() - 1) < 1e-4, $"p {p:R}");
        // Ordered by parameter count, whatever the order given; each log-likelihood at least lme4's.
        var models = table.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(new[] { "m0", "m1" }, models.Select(m => m.GetProperty("name").GetString()));
        var lme4LogLik = lme4.GetProperty("loglik").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int k = 0; k < 2; k++)
        {
            double ll = models[k].GetProperty("logLik").GetDouble();
            Assert.True(ll >= lme4LogLik[k] - 1e-6 && ll - lme4LogLik[k] < 1e-3, $"model {k}: logLik {ll:R}, lme4 {lme4LogLik[k]:R}");
        }
        Assert.Equal(new[]
        {
            "Data: cbpp.csv",
            "Models:",
            $"m0: {Cbpp0}",
            $"m1: {Cbpp1}",
            "   npar    AIC    BIC  logLik deviance Chisq Df Pr(>Chisq)    ",
            "m0    2 213.66 217.71 -104.83   209.66                        ",
            "m1    5 194.05 204.18  -92.03   184.05 25.61  3  1.151e-05 ***",
            "---",
            "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
        }, stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void SleepstudyTestOfDaysAgreesWithLme4ByMl()
    {
        var m0 = Fit("m0", Fixtures.Path("sleepstudy.csv"), "Reaction ~ 1 + (Days | Subject)", "gaussian", "--method", "ml");
        var m1 = Fit("m1", Fixtures.Path("sleepstudy.csv"), "Reaction ~ Days + (Days | Subject)", "gaussian", "--method", "ml");
        var output = Path.Combine(folder, "anova.json");
        var (code, _, stderr) = Run("anova", m0, m1, "--json", output);
        Assert.True(code == 0, stderr);
        var table = Test(output);
        var lme4 = Fixtures.Json("inference/sleepstudy_ml_inference.json").GetProperty("anova");
        double chisq = table.GetProperty("Chisq").GetDouble(), expected = lme4.GetProperty("Chisq").GetDouble();
        Assert.True(Math.Abs(chisq - expected) < 1e-4, $"Chisq {chisq:R} vs lme4's {expected:R}");
        Assert.Equal(1, table.GetProperty("Df").GetInt32());
        Assert.True(Math.Abs(table.GetProperty("p").GetDouble() / lme4.GetProperty("p").GetDouble() - 1) < 1e-4);
    }

    [Fact]
    public void ThreeModelsAreTestedInTurn()
    {
        var data = Fixtures.Path("sleepstudy.csv");
        var a = Fit("a", data, "Reaction ~ Days + (Days | Subject)", "gaussian", "--method", "ml");
        var b = Fit("b", data, "Reaction ~ 1 + (Days | Subject)", "gaussian", "--method", "ml");
        var c = Fit("c", data, "Reaction ~ Days + (1 | Subject)", "gaussian", "--method", "ml");
        var output = Path.Combine(folder, "anova.json");
        var (code, stdout, stderr) = Run("anova", a, b, c, "--json", output);
        Assert.True(code == 0, stderr);
        var models = Test(output).GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(new[] { "c", "b", "a" }, models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, models[0].GetProperty("Chisq").ValueKind);
        // lme4 1.1.31: anova(a, b, c) gives Chisq 18.603 (b against c) and 23.537 (a against b).
        Assert.Equal(18.603, models[1].GetProperty("Chisq").GetDouble(), 3);
        Assert.Equal(23.537, models[2].GetProperty("Chisq").GetDouble(), 3);
        Assert.Contains("note", stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FitsThatCannotBeComparedAreRefusedWithTheReason()
    {
        var cbpp = Fixtures.Path("cbpp.csv");
        var m0 = Fit("m0", cbpp, Cbpp0, "binomial");
        var m1 = Fit("m1", cbpp, Cbpp1, "binomial");

        var pql = Fit("pql", cbpp, Cbpp1, "binomial", "--method", "pql");
        AssertRefused(["anova", m0, pql], "PQL maximises no likelihood");

        // The same rows, one count changed: a different file.
        var changed = Path.Combine(folder, "cbpp-changed.csv");
        var lines = File.ReadAllLines(cbpp);
        lines[1] = lines[1].Replace("\"1\",2,14", "\"1\",3,14", StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllLines(cbpp)[1], lines[1]);
        File.WriteAllLines(changed, lines);
        var other = Fit("other", changed, Cbpp1, "binomial");
        AssertRefused(["anova", m0, other], "different data");

        var agq = Fit("agq", cbpp, Cbpp1, "binomial", "--nagq", "9");
        AssertRefused(["anova", m0, agq], "approximate the likelihood differently");

        var poisson = Fit("poisson", cbpp, "incidence ~ period + (1 | herd)", "poisson");
        AssertRefused(["anova", m0, poisson], "different responses");

        var sameSize = Fit("same", cbpp, "cbind(incidence, size - incidence) ~ period + (1 | herd)", "binomial", "--link", "probit");
        AssertRefused(["anova", m1, sameSize], "different families or links");

        var sleep = Fixtures.Path("sleepstudy.csv");
        var reml0 = Fit("reml0", sleep, "Reaction ~ 1 + (Days | Subject)", "gaussian");
        var reml1 = Fit("reml1", sleep, "Reaction ~ Days + (Days | Subject)", "gaussian");
        AssertRefused(["anova", reml0, reml1], "--method ml");
        var ml1 = Fit("ml1", sleep, "Reaction ~ Days + (Days | Subject)", "gaussian", "--method", "ml");
        AssertRefused(["anova", reml0, ml1], "refit both with --method ml");

        var slope = Fit("slope", sleep, "Reaction ~ Days + (0 + Days | Subject)", "gaussian", "--method", "ml");
        var intercept = Fit("intercept", sleep, "Reaction ~ Days + (1 | Subject)", "gaussian", "--method", "ml");
        AssertRefused(["anova", slope, intercept], "same number of parameters");

        var (code, _, stderr) = Run("anova", m0);
        Assert.Equal(CliProgram.UsageError, code);
        Assert.Contains("at least two", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RemlFitsWithTheSameFixedEffectsCompareByTheirRemlLikelihoods()
    {
        var sleep = Fixtures.Path("sleepstudy.csv");
        var small = Fit("small", sleep, "Reaction ~ Days + (1 | Subject)", "gaussian");
        var large = Fit("large", sleep, "Reaction ~ Days + (Days | Subject)", "gaussian");
        var output = Path.Combine(folder, "anova.json");
        var (code, _, stderr) = Run("anova", small, large, "--json", output);
        Assert.True(code == 0, stderr);
        var models = Test(output).GetProperty("models").EnumerateArray().ToArray();
        double expected = 2 * (models[1].GetProperty("logLik").GetDouble() - models[0].GetProperty("logLik").GetDouble());
        Assert.Equal(expected, Test(output).GetProperty("Chisq").GetDouble(), 10);
        // lme4 1.1.31, anova(m0, m1, refit = FALSE): REML log-likelihoods -893.23 and -871.81, Chisq 42.837 on 2 Df.
        Assert.Equal(42.837, Test(output).GetProperty("Chisq").GetDouble(), 3);
    }

    [Fact]
    public void AFitSavedWithoutItsDataFileIsComparedByRowsWithANote()
    {
        var cbpp = Fixtures.Path("cbpp.csv");
        var m0 = Fit("m0", cbpp, Cbpp0, "binomial");
        var m1 = Fit("m1", cbpp, Cbpp1, "binomial");
        var text = File.ReadAllText(m1);
        int at = text.IndexOf("\"data\": {", StringComparison.Ordinal);
        int end = text.IndexOf('}', at);
        File.WriteAllText(m1, text[..at] + text[(end + 1)..].TrimStart().TrimStart(','));
        var (code, stdout, stderr) = Run("anova", m0, m1);
        Assert.True(code == 0, stderr);
        Assert.Contains("does not record its data file", stdout, StringComparison.Ordinal);
    }

    private static void AssertRefused(string[] args, string reason)
    {
        var (code, _, stderr) = Run(args);
        Assert.True(code == CliProgram.DataOrFitError, $"exit {code}: {stderr}");
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
    }
}

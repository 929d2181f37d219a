using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines;
using System.Text.Json;
using GlmmGpu.Results;
using Xunit;
using GlmmGpu.Fitting;

namespace GlmmGpu.Tests.Results;

public class FitResultJsonTests
{
    private static readonly string[] Keys =
    {
        "formula", "family", "link", "method", "nAGQ", "device", "nobs", "ngroups", "fixef", "se", "varcorr",
        "dispersion", "loglik", "npar", "deviance", "AIC", "BIC", "converged", "singular", "iterations", "seconds", "ranef",
    };

    private static JsonElement Parse(FitResult r) => JsonDocument.Parse(FitResultJson.ToJson(r)).RootElement.Clone();

    private static string[] Names(JsonElement o) => o.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void HasEveryKeyInOrder()
    {
        var root = Parse(SampleFits.CbppLaplace());
        Assert.Equal(Keys.Append("messages").Append("record").ToArray(), Names(root));
    }

    /// <summary>A real fit's record in its JSON: why the device, how it started, the optimizer's trail (one step per
    /// iteration, ending at the fit's log-likelihood) and the phases, which add up to no more than the fit's time.</summary>
    [Fact]
    public void TheRecordOfAFitIsWritten()
    {
        var data = GlmmGpu.Data.CsvLoader.Load(Fixtures.Path("cbpp.csv"));
        var fit = Glmm.Fit(data, new ModelSpec("cbind(incidence, size - incidence) ~ period + (1 | herd)", FamilyKind.Binomial),
            new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = 1 } });
        var record = Parse(fit).GetProperty("record");
        Assert.Equal("requested: the CPU SIMD path", record.GetProperty("device_reason").GetString());
        Assert.Equal("glm", record.GetProperty("start").GetProperty("kind").GetString());
        Assert.Equal(1, record.GetProperty("threads").GetInt32());
        Assert.Equal(fit.Record.Evaluations, record.GetProperty("evaluations").GetInt32());
        var trail = record.GetProperty("trail").EnumerateArray().ToArray();
        Assert.Equal(fit.Iterations, trail.Length);
        Assert.All(trail, step => Assert.Equal("fitting", step.GetProperty("stage").GetString()));
        Assert.Equal(fit.LogLik!.Value, trail[^1].GetProperty("loglik").GetDouble(), 1e-6);
        var final = record.GetProperty("final").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(fit.FixedEffects.Select(c => c.Estimate), final.Take(fit.FixedEffects.Count));
        var phases = record.GetProperty("phases").EnumerateArray().Select(e => e.GetProperty("seconds").GetDouble()).ToArray();
        Assert.Contains(record.GetProperty("phases").EnumerateArray(), e => e.GetProperty("phase").GetString()!.StartsWith("BFGS"));
        Assert.True(phases.Sum() <= fit.Seconds + 1e-9, $"phases {phases.Sum()} s, fit {fit.Seconds} s");
    }

    [Fact]
    public void ValuesRoundTrip()
    {
        var r = SampleFits.CbppLaplace();
        var root = Parse(r);
        Assert.Equal(r.Formula, root.GetProperty("formula").GetString());
        Assert.Equal("binomial", root.GetProperty("family").GetString());
        Assert.Equal("logit", root.GetProperty("link").GetString());
        Assert.Equal("laplace", root.GetProperty("method").GetString());
        Assert.Equal(1, root.GetProperty("nAGQ").GetInt32());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal(56, root.GetProperty("nobs").GetInt32());
        Assert.Equal(15, root.GetProperty("ngroups").GetProperty("herd").GetInt32());
        foreach (var c in r.FixedEffects)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(c.Estimate), BitConverter.DoubleToInt64Bits(root.GetProperty("fixef").GetProperty(c.Name).GetDouble()));
            Assert.Equal(BitConverter.DoubleToInt64Bits(c.StdError), BitConverter.DoubleToInt64Bits(root.GetProperty("se").GetProperty(c.Name).GetDouble()));
        }
        var herd = root.GetProperty("varcorr").GetProperty("herd");
        Assert.Equal(new[] { "sd", "corr" }, Names(herd));
        Assert.Equal(r.VarCorr[0].Sd[0], herd.GetProperty("sd").GetProperty("(Intercept)").GetDouble());
        Assert.Equal(JsonValueKind.Array, herd.GetProperty("corr").ValueKind);
        Assert.Equal(0, herd.GetProperty("corr").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("dispersion").ValueKind);
        Assert.Equal(r.LogLik!.Value, root.GetProperty("loglik").GetDouble());
        Assert.Equal(r.Deviance!.Value, root.GetProperty("deviance").GetDouble());
        Assert.Equal(r.Aic!.Value, root.GetProperty("AIC").GetDouble());
        Assert.Equal(r.Bic!.Value, root.GetProperty("BIC").GetDouble());
        Assert.Equal(194.053132775102, root.GetProperty("AIC").GetDouble(), 9);
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.False(root.GetProperty("singular").GetBoolean());
        Assert.Equal(23, root.GetProperty("iterations").GetInt32());
        Assert.Equal(0.065, root.GetProperty("seconds").GetDouble());
        var ranef = root.GetProperty("ranef").GetProperty("herd");
        Assert.Equal(r.Ranef[0].Levels, Names(ranef));
        Assert.Equal(r.Ranef[0].Modes[13][0], ranef.GetProperty("14")[0].GetDouble());
        Assert.Equal(0, root.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public void FactorLevelsFollowRanefWhenRecorded()
    {
        var levels = new Dictionary<string, string[]> { ["period"] = new[] { "1", "2", "3", "4" } };
        var root = Parse(SampleFits.CbppLaplace(factorLevels: levels));
        Assert.Equal(Keys.Append("levels").Append("messages").Append("record").ToArray(), Names(root));
        Assert.Equal(new[] { "1", "2", "3", "4" }, root.GetProperty("levels").GetProperty("period").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void WritesShortestRoundTripDigits()
    {
        var json = FitResultJson.ToJson(SampleFits.CbppLaplace());
        Assert.Contains("\"seconds\": 0.065", json);
        Assert.Contains("\"(Intercept)\": -1.39833155181282", json);
        Assert.Contains("\n  \"formula\"", json); // indented
        Assert.Contains("\"formula\": \"cbind(incidence, size - incidence) ~ period + (1 | herd)\"", json); // '+' not escaped
    }

    [Fact]
    public void PqlHasNullLikelihoodAndResidualSd()
    {
        var r = SampleFits.CbppPql();
        var root = Parse(r);
        foreach (var k in new[] { "loglik", "deviance", "AIC", "BIC" })
            Assert.Equal(JsonValueKind.Null, root.GetProperty(k).ValueKind);
        Assert.Equal(r.ResidualSd!.Value, root.GetProperty("residual_sd").GetDouble());
        Assert.False(root.TryGetProperty("REML", out _));
        Assert.Equal(Keys.Append("residual_sd").Append("messages").Append("record").ToArray(), Names(root));
    }

    [Fact]
    public void RemlCriterionCorrelationsAndDispersion()
    {
        var r = SampleFits.SleepstudyReml();
        var root = Parse(r);
        Assert.Equal(1743.62827195995, root.GetProperty("REML").GetDouble());
        Assert.False(root.TryGetProperty("residual_sd", out _));
        var subject = root.GetProperty("varcorr").GetProperty("Subject");
        Assert.Equal(new[] { "(Intercept)", "Days" }, Names(subject.GetProperty("sd")));
        Assert.Equal(0.0655512382381282, subject.GetProperty("corr")[0].GetDouble());
        var d = root.GetProperty("dispersion");
        Assert.Equal("sigma", d.GetProperty("name").GetString());
        Assert.Equal(25.5917957216753, d.GetProperty("value").GetDouble());
        var modes = root.GetProperty("ranef").GetProperty("Subject").GetProperty("309");
        Assert.Equal(new[] { -40.398, -8.621 }, modes.EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    [Fact]
    public void NonFiniteNumbersAreNull()
    {
        var r = SummaryFormatterTests.Clone(SampleFits.CbppLaplace(), coefs: new[]
        {
            new Coefficient("(Intercept)", double.NaN, double.PositiveInfinity, double.NaN, double.NaN),
        });
        var root = Parse(r);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fixef").GetProperty("(Intercept)").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("se").GetProperty("(Intercept)").ValueKind);
    }

    [Fact]
    public void RepeatedFactorsGetDistinctKeysAndMessagesAreKept()
    {
        var r = SummaryFormatterTests.Clone(SampleFits.SleepstudyReml(), varCorr: new[]
        {
            new VarianceComponent("Subject", new[] { "(Intercept)" }, new[] { 24.0 }, Array.Empty<double>(), 18),
            new VarianceComponent("Subject", new[] { "Days" }, new[] { 5.9 }, Array.Empty<double>(), 18),
        });
        var root = Parse(r);
        Assert.Equal(new[] { "Subject", "Subject.1" }, Names(root.GetProperty("varcorr")));
        Assert.Equal(new[] { "a", "b" }, FitResultJson.UniqueNames(new[] { "a", "b" }));
        Assert.Equal(new[] { "g", "g.1", "g.2" }, FitResultJson.UniqueNames(new[] { "g", "g", "g" }));
    }

    [Fact]
    public void WritesAFileEndingInNewline()
    {
        var path = Path.Combine(Path.GetTempPath(), $"glmm-json-{Guid.NewGuid():N}.json");
        try
        {
            FitResultJson.Write(SampleFits.CbppLaplace(), path);
            var text = File.ReadAllText(path);
            Assert.EndsWith("}\n", text);
            Assert.Equal(56, JsonDocument.Parse(text).RootElement.GetProperty("nobs").GetInt32());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

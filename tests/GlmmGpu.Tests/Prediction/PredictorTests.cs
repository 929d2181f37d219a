using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Prediction;
using GlmmGpu.Results;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Prediction;

/// <summary>Predictions against values computed by hand from a fit's estimates, as lme4's predict gives them.</summary>
public class PredictorTests
{
    // lme4 1.1.31's Laplace fit of cbpp (Fixtures/cbpp_laplace.json).
    private const double Intercept = -1.39833155181282, Period2 = -0.991923809038708, Period3 = -1.12821438763116, Period4 = -1.57975005595514;
    private const double Herd1 = 0.589618206872148, Herd14 = 0.970338736980349;

    private static SavedFit Cbpp() => new()
    {
        Formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)",
        Family = FamilyKind.Binomial,
        Link = LinkKind.Logit,
        FixedEffects = new[]
        {
            KeyValuePair.Create("(Intercept)", Intercept), KeyValuePair.Create("period2", Period2),
            KeyValuePair.Create("period3", Period3), KeyValuePair.Create("period4", Period4),
        },
        RandomEffects = new[]
        {
            new SavedRandomEffects("herd", new Dictionary<string, double[]> { ["1"] = new[] { Herd1 }, ["14"] = new[] { Herd14 } }),
        },
        FactorLevels = new Dictionary<string, string[]> { ["period"] = new[] { "1", "2", "3", "4" } },
    };

    /// <summary>New cbpp rows without the response: herd 1 in period 1, herd 14 in period 4, herd 99 (new) in period 2.</summary>
    private static DataTable NewHerds() => DataTable.FromColumns(
        ("herd", new[] { 1, 14, 99 }),
        ("period", new[] { 1, 4, 2 })).WithFactors("herd", "period");

    private static double InverseLogit(double eta) => 1 / (1 + Math.Exp(-eta));

    private static void Close(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tolerance);
    }

    private static double[] Predict(SavedFit fit, DataTable data, PredictionType type, RandomEffectsForm reForm) =>
        Predictor.Predict(fit, data, new PredictionOptions { Type = type, ReForm = reForm }).Values;

    [Fact]
    public void LinkScaleWithRandomEffectsANewHerdGetsThePopulationValue()
    {
        var result = Predictor.Predict(Cbpp(), NewHerds());
        Close(new[] { Intercept + Herd1, Intercept + Period4 + Herd14, Intercept + Period2 }, result.Values, 1e-14);
        Assert.Equal(1, result.NewLevelRows);
        Assert.Equal(0, result.MissingRows);
    }

    [Fact]
    public void ResponseScaleWithRandomEffects()
    {
        var p = Predict(Cbpp(), NewHerds(), PredictionType.Response, RandomEffectsForm.All);
        Close(new[] { InverseLogit(Intercept + Herd1), InverseLogit(Intercept + Period4 + Herd14), InverseLogit(Intercept + Period2) }, p, 1e-14);
    }

    [Fact]
    public void PopulationPredictionsOnBothScales()
    {
        var eta = new[] { Intercept, Intercept + Period4, Intercept + Period2 };
        Close(eta, Predict(Cbpp(), NewHerds(), PredictionType.Link, RandomEffectsForm.None), 1e-14);
        Close(eta.Select(InverseLogit).ToArray(), Predict(Cbpp(), NewHerds(), PredictionType.Response, RandomEffectsForm.None), 1e-14);
    }

    [Fact]
    public void MissingCovariatesGiveNaAndWithoutRandomEffectsTheGroupIsNotNeeded()
    {
        var data = DataTable.FromColumns(
            ("herd", new[] { 1.0, double.NaN, 14 }),
            ("period", new[] { 1.0, 2, double.NaN })).WithFactors("herd", "period");
        var all = Predictor.Predict(Cbpp(), data);
        Assert.Equal(Intercept + Herd1, all.Values[0], 1e-14);
        Assert.True(double.IsNaN(all.Values[1]));
        Assert.True(double.IsNaN(all.Values[2]));
        Assert.Equal(2, all.MissingRows);
        var none = Predict(Cbpp(), data, PredictionType.Link, RandomEffectsForm.None);
        Close(new[] { Intercept, Intercept + Period2 }, none[..2], 1e-14);
        Assert.True(double.IsNaN(none[2]));
    }

    [Fact]
    public void AnUnseenFactorLevelIsAnError()
    {
        var data = DataTable.FromColumns(("herd", new[] { 1 }), ("period", new[] { 5 }));
        var e = Assert.Throws<GlmmException>(() => Predictor.Predict(Cbpp(), data));
        Assert.Contains("column 'period'", e.Message);
        Assert.Contains("'5'", e.Message);
    }

    [Fact]
    public void AMissingColumnIsAnError()
    {
        var data = DataTable.FromColumns(("herd", new[] { 1 }));
        var e = Assert.Throws<GlmmException>(() => Predictor.Predict(Cbpp(), data));
        Assert.Contains("unknown column 'period'", e.Message);
        // Without random effects, the grouping factor is not needed; the fixed part's columns still are.
        var noHerd = DataTable.FromColumns(("period", new[] { 3 }));
        Assert.Equal(Intercept + Period3, Predict(Cbpp(), noHerd, PredictionType.Link, RandomEffectsForm.None)[0], 1e-14);
    }

    [Fact]
    public void OffsetsComeFromTheNewDataAndSlopesFromTheModes()
    {
        var fit = new SavedFit
        {
            Formula = "y ~ x + offset(log(n)) + (1 + x | g)",
            Family = FamilyKind.Poisson,
            Link = LinkKind.Log,
            FixedEffects = new[] { KeyValuePair.Create("(Intercept)", 0.25), KeyValuePair.Create("x", -0.5) },
            RandomEffects = new[] { new SavedRandomEffects("g", new Dictionary<string, double[]> { ["a"] = new[] { 0.1, 0.2 } }) },
            FactorLevels = new Dictionary<string, string[]>(),
        };
        var data = DataTable.FromColumns(("x", new[] { 2.0, 3 }), ("n", new[] { 4.0, 5 }), ("g", new string?[] { "a", "b" }));
        var eta = new[] { 0.25 - 0.5 * 2 + Math.Log(4) + 0.1 + 0.2 * 2, 0.25 - 0.5 * 3 + Math.Log(5) };
        Close(eta, Predict(fit, data, PredictionType.Link, RandomEffectsForm.All), 1e-14);
        Close(eta.Select(Math.Exp).ToArray(), Predict(fit, data, PredictionType.Response, RandomEffectsForm.All), 1e-13);
    }

    [Fact]
    public void AFitAndItsJsonPredictAlike()
    {
        var data = CsvLoader.Load(Fixtures.Path("cbpp.csv"));
        var fit = Glmm.Fit(data, new ModelSpec("cbind(incidence, size - incidence) ~ period + (1 | herd)", FamilyKind.Binomial),
            new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        Assert.Equal(new[] { "1", "2", "3", "4" }, fit.FactorLevels!["period"]);
        var saved = SavedFitJson.Parse(FitResultJson.ToJson(fit));
        var options = new PredictionOptions { Type = PredictionType.Response };
        Assert.Equal(Predictor.Predict(fit, data, options).Values, Predictor.Predict(saved, data, options).Values);
        // On the training data the herd modes and period effects add up as in the fit.
        var eta = Predictor.Predict(fit, data).Values;
        var fixef = fit.FixedEffects.ToDictionary(c => c.Name, c => c.Estimate);
        var herd = fit.Ranef[0];
        double expected = fixef["(Intercept)"] + fixef["period2"] + herd.Modes[Array.IndexOf(herd.Levels, "1")][0];
        Assert.Equal(expected, eta[1], 1e-12); // row 2 of cbpp.csv: herd 1, period 2
    }

    [Fact]
    public void JsonWithoutLevelsIsRefused()
    {
        var e = Assert.Throws<GlmmException>(() => SavedFitJson.Parse(
            "{\"formula\": \"y ~ x + (1 | g)\", \"family\": \"poisson\", \"link\": \"log\", \"fixef\": {}, \"ranef\": {}}"));
        Assert.Contains("'levels'", e.Message);
        Assert.Contains("not valid JSON", Assert.Throws<GlmmException>(() => SavedFitJson.Parse("{")).Message);
    }

    [Fact]
    public void CsvOutputHasRowAndFitWithNa()
    {
        var writer = new StringWriter();
        PredictionCsv.Write(new PredictionResult(new[] { 0.5, double.NaN, -1e-300 }, 1, 0), writer);
        Assert.Equal("row,fit\n1,0.5\n2,NA\n3,-1E-300\n", writer.ToString());
    }
}

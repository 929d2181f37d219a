using System.Globalization;
using GlmmGpu.Cli;
using GlmmGpu.Data;
using GlmmGpu.Prediction;
using GlmmGpu.Tests.Data;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.EndToEnd;

/// <summary>glmm fit --json, then glmm predict on new data, CSV and Parquet, as a user runs them.</summary>
public class CommandLinePredictTests
{
    private const string CbppFormula = "cbind(incidence, size - incidence) ~ period + (1 | herd)";

    private static string Temp(string extension) => Path.Combine(Path.GetTempPath(), $"glmm-{Guid.NewGuid():N}{extension}");

    private static string FitCbpp(string dataPath)
    {
        var json = Temp(".json");
        var (code, _, stderr) = Run("fit", "--data", dataPath, "--family", "binomial", "--device", "cpu", "--formula", CbppFormula, "--json", json);
        Assert.True(code == 0, stderr);
        return json;
    }

    private static (int Row, string Fit)[] ReadPredictions(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal("row,fit", lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), p[1])).ToArray();
    }

    [Fact]
    public void PredictWritesOneRowPerInputRowWithNaAndNewHerds()
    {
        var json = FitCbpp(Fixtures.Path("cbpp.csv"));
        var data = Temp(".csv");
        var output = Temp(".csv");
        try
        {
            // No response columns; herd 99 is new, the second row lacks its period.
            File.WriteAllText(data, "herd,period\n\"1\",\"2\"\n\"3\",\n\"99\",\"4\"\n");
            var (code, _, stderr) = Run("predict", "--model", json, "--data", data, "--type", "response", "--out", output);
            Assert.True(code == 0, stderr);
            var rows = ReadPredictions(output);
            Assert.Equal(new[] { 1, 2, 3 }, rows.Select(r => r.Row));
            Assert.Equal("NA", rows[1].Fit);

            var fit = SavedFitJson.Read(json);
            var population = Predictor.Predict(fit, CsvLoader.Load(data), new PredictionOptions { Type = PredictionType.Response, ReForm = RandomEffectsForm.None });
            double herd99 = double.Parse(rows[2].Fit, CultureInfo.InvariantCulture);
            Assert.Equal(population.Values[2], herd99);
            double herd1 = double.Parse(rows[0].Fit, CultureInfo.InvariantCulture);
            Assert.NotEqual(population.Values[0], herd1); // herd 1's own effect is added
        }
        finally
        {
            File.Delete(json);
            File.Delete(data);
            File.Delete(output);
        }
    }

    [Fact]
    public void ParquetDataFitsAndPredictsAsCsv()
    {
        var csv = CsvLoader.Load(Fixtures.Path("cbpp.csv"));
        var parquet = ParquetFiles.TempPath();
        var csvJson = FitCbpp(Fixtures.Path("cbpp.csv"));
        var outCsv = Temp(".csv");
        var outParquet = Temp(".csv");
        string? parquetJson = null;
        try
        {
            // Written as text, the factors need no --factor, and their levels still sort as numbers.
            var asText = new DataTable(csv.Columns.Select(c => csv.IsFactor(c.Name)
                ? new StringColumn(c.Name, ((NumericColumn)c).Values.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray())
                : c));
            ParquetFiles.Write(asText, parquet, rowGroupSize: 20);
            parquetJson = FitCbpp(parquet);
            Assert.Equal(SavedFitJson.Read(csvJson).FixedEffects, SavedFitJson.Read(parquetJson).FixedEffects);

            Assert.Equal(0, Run("predict", "--model", csvJson, "--data", Fixtures.Path("cbpp.csv"), "--out", outCsv).Code);
            Assert.Equal(0, Run("predict", "--model", csvJson, "--data", parquet, "--re-form", "all", "--type", "link", "--out", outParquet).Code);
            Assert.Equal(File.ReadAllText(outCsv), File.ReadAllText(outParquet));
            Assert.Equal(56, ReadPredictions(outCsv).Length);
        }
        finally
        {
            File.Delete(parquet);
            File.Delete(csvJson);
            if (parquetJson is not null) File.Delete(parquetJson);
            File.Delete(outCsv);
            File.Delete(outParquet);
        }
    }

    [Theory]
    [InlineData("herd,period\n\"1\",\"7\"\n", "column 'period' has level '7'")]
    [InlineData("herd\n\"1\"\n", "unknown column 'period'")]
    public void BadNewDataGetOneClearSentence(string csv, string expected)
    {
        var json = FitCbpp(Fixtures.Path("cbpp.csv"));
        var data = Temp(".csv");
        var output = Temp(".csv");
        try
        {
            File.WriteAllText(data, csv);
            var (code, _, stderr) = Run("predict", "--model", json, "--data", data, "--out", output);
            Assert.Equal(1, code);
            Assert.StartsWith("glmm: error: ", stderr);
            Assert.Contains(expected, stderr);
            Assert.False(File.Exists(output));
        }
        finally
        {
            File.Delete(json);
            File.Delete(data);
        }
    }

    [Theory]
    [InlineData(new[] { "predict", "--data", "d.csv", "--out", "o.csv" }, "option --model is required")]
    [InlineData(new[] { "predict", "--model", "m.json", "--data", "d.csv", "--out", "o.csv", "--type", "mean" }, "unknown type 'mean'")]
    [InlineData(new[] { "predict", "--model", "m.json", "--data", "d.csv", "--out", "o.csv", "--re-form", "NA" }, "use all or none")]
    public void UsageErrors(string[] args, string expected)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void AMissingModelFileIsADataError()
    {
        var (code, _, stderr) = Run("predict", "--model", "no/such.json", "--data", Fixtures.Path("cbpp.csv"), "--out", Temp(".csv"));
        Assert.Equal(1, code);
        Assert.Contains("model file 'no/such.json' not found", stderr);
    }

    [Fact]
    public void HelpListsPredict()
    {
        Assert.Contains("glmm predict --model FIT.json", Run("--help").Out);
        Assert.Contains("--re-form R", Run("predict", "--help").Out);
        Assert.Contains("--re-form R", Run("help", "predict").Out);
    }
}

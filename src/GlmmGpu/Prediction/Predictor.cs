using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Results;
using GlmmGpu.Specification;

using GlmmGpu.Fitting;

namespace GlmmGpu.Prediction;

/// <summary>
/// Predictions from a fit on new data, as lme4's <c>predict(fit, newdata, type, re.form, allow.new.levels = TRUE)</c>:
/// the design is rebuilt from the fit's formula on the new data with the fit's factor levels, then
/// eta = X beta + offset (+ Z b), on the link scale or through the inverse link.
/// </summary>
public static class Predictor
{
    public static PredictionResult Predict(FitResult fit, DataTable data, PredictionOptions? options = null) =>
        Predict(SavedFit.From(fit), data, options);

    public static PredictionResult Predict(SavedFit fit, DataTable data, PredictionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PredictionOptions();
        var formula = FormulaParser.Parse(fit.Formula);
        // Without random effects the grouping factors are not needed, so rows missing one still get a prediction.
        if (options.ReForm == RandomEffectsForm.None)
            formula = formula with { RandomTerms = Array.Empty<RandomTerm>() };
        var frame = ModelFrameBuilder.BuildForPrediction(data, formula, fit.Family, fit.Link, fit.FactorLevels);
        var (eta, newLevelRows) = LinearPredictor.Compute(frame, fit);

        var values = new double[data.RowCount];
        Array.Fill(values, double.NaN);
        for (int i = 0; i < eta.Length; i++)
            values[frame.SourceRow[i]] = options.Type == PredictionType.Response
                ? RowLikelihoodDispatch.Mean(fit.Family, fit.Link, eta[i])
                : eta[i];
        return new PredictionResult(values, frame.DroppedRows, newLevelRows);
    }
}

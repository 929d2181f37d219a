using GlmmGpu.Data;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// Checks that every column the formula (and the weights) names is in the data, before anything is
/// computed, so the error names the term the user wrote and lists the columns there are.
/// </summary>
internal static class FormulaColumns
{
    /// <param name="data">The data.</param>
    /// <param name="formula">The model.</param>
    /// <param name="weightsColumn">The weights column, if any.</param>
    /// <param name="checkResponse">False for prediction: new data need not hold the response.</param>
    public static void Check(DataTable data, ModelFormula formula, string? weightsColumn, bool checkResponse = true)
    {
        switch (checkResponse ? formula.Response : null)
        {
            case SingleResponse s:
                CheckExpression(data, s.Value, s.Value.Text);
                break;
            case BinomialResponse b:
                string label = $"cbind({b.Successes.Text}, {b.Failures.Text})";
                CheckExpression(data, b.Successes, label);
                CheckExpression(data, b.Failures, label);
                break;
        }
        foreach (var term in formula.FixedTerms)
            CheckTerm(data, term);
        foreach (var offset in formula.Offsets)
            CheckExpression(data, offset, $"offset({offset.Text})");
        foreach (var random in formula.RandomTerms)
        {
            foreach (var term in random.Terms) CheckTerm(data, term);
            foreach (var g in random.GroupingFactors) Require(data, g, random.ToString());
        }
        if (weightsColumn is not null && !data.Contains(weightsColumn))
            throw new GlmmException($"unknown weights column '{weightsColumn}'; the data has {Available(data)}");
    }

    private static void CheckTerm(DataTable data, Term term)
    {
        foreach (var v in term.Variables) CheckExpression(data, v, term.Label);
    }

    private static void CheckExpression(DataTable data, Expression e, string term)
    {
        foreach (var c in e.Columns()) Require(data, c, term);
    }

    private static void Require(DataTable data, string column, string term)
    {
        if (!data.Contains(column))
            throw new GlmmException($"unknown column '{column}' in term '{term}'; the data has {Available(data)}");
    }

    private static string Available(DataTable data) => string.Join(", ", data.Columns.Select(c => c.Name));
}

using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

public static partial class ModelFrameBuilder
{
    /// <summary>
    /// The frame of new data to predict on from a fit: factors are coded with the fit's
    /// <paramref name="factorLevels"/> (a level the fit did not see is an error naming the column and level),
    /// the response need not be there, rows keep their source order, and a grouping factor may have one level.
    /// Rows missing a value the design needs are left out (<see cref="ModelFrame.SourceRow"/> says which rows
    /// remain). X holds every design column, unreduced: the fit's coefficients pick their columns by name.
    /// A formula without random terms gives the fixed part alone (population predictions).
    /// </summary>
    public static ModelFrame BuildForPrediction(DataTable data, ModelFormula formula, FamilyKind family, LinkKind link,
        IReadOnlyDictionary<string, string[]> factorLevels)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(factorLevels);
        FormulaColumns.Check(data, formula, weightsColumn: null, checkResponse: false);

        var complete = RowSelection.CompleteRows(data, CovariateColumns(formula));
        var rows = new ModelRows(data, complete, factorLevels);
        var fixedColumns = DesignMatrixBuilder.Build(rows, formula.HasIntercept, formula.FixedTerms);
        var blocks = RandomTermGroups.ByFactor(formula.RandomTerms)
            .Select(terms => RandomBlock(rows, terms, GroupingFactorBuilder.Build(rows, terms[0], requireTwoLevels: false), null))
            .ToArray();
        var noResponse = new double[rows.Count];
        Array.Fill(noResponse, double.NaN);
        var weights = new double[rows.Count];
        Array.Fill(weights, 1.0);

        return new ModelFrame
        {
            Formula = formula,
            Family = family,
            Link = link,
            Response = noResponse,
            Weights = weights,
            Offset = Offset(rows, formula.Offsets),
            X = ColumnMajor(fixedColumns, rows.Count),
            FixedNames = fixedColumns.Select(c => c.Name).ToArray(),
            DroppedColumns = Array.Empty<string>(),
            RandomEffects = blocks,
            DroppedRows = data.RowCount - complete.Length,
            SourceRow = rows.SourceRow,
            FactorLevels = factorLevels,
        };
    }

    /// <summary>The columns a prediction reads: all the formula's but the response's.</summary>
    private static IEnumerable<string> CovariateColumns(ModelFormula formula)
    {
        var terms = formula.FixedTerms.Concat(formula.RandomTerms.SelectMany(r => r.Terms));
        return terms.SelectMany(t => t.Variables.SelectMany(v => v.Columns()))
            .Concat(formula.Offsets.SelectMany(o => o.Columns()))
            .Concat(formula.RandomTerms.SelectMany(r => r.GroupingFactors))
            .Distinct(StringComparer.Ordinal);
    }
}

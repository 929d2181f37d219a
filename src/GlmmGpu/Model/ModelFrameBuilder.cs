using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// Turns data and a formula into a validated <see cref="ModelFrame"/>, in R's order of work: check the
/// names, drop incomplete rows (na.omit), code factors on the rows that remain, build and check the
/// response, X (aliased columns dropped) and each grouping factor's Z (its terms' columns side by side). Rows are
/// sorted by the first random term's grouping factor so that every cluster is contiguous.
/// </summary>
public static partial class ModelFrameBuilder
{
    /// <param name="parallel">Threads and scheduler for the aliasing check's pass over the design (null: all cores).</param>
    public static ModelFrame Build(DataTable data, ModelFormula formula, FamilyKind family, LinkKind link, string? weightsColumn = null, ParallelOptions? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(formula);
        if (formula.RandomTerms.Count == 0)
            throw new GlmmException($"no random-effects terms in '{formula.Source}': use a GLM");
        FormulaColumns.Check(data, formula, weightsColumn);

        var used = formula.Columns().ToList();
        if (weightsColumn is not null && !used.Contains(weightsColumn)) used.Add(weightsColumn);
        if (data.RowCount == 0)
            throw new GlmmException("the data have no rows");
        var complete = RowSelection.CompleteRows(data, used);
        int droppedRows = data.RowCount - complete.Length;
        if (complete.Length == 0)
            throw NoRowsLeft(data, used);

        // Sort by the first grouping factor before computing anything else, so every array is built in frame order.
        var unsorted = new ModelRows(data, complete);
        var firstGroup = GroupingFactorBuilder.Build(unsorted, formula.RandomTerms[0]);
        var (order, offsets) = ClusterOrder.ByLevel(firstGroup.Codes, firstGroup.LevelCount);
        var rows = unsorted.Reorder(order);
        firstGroup = firstGroup.Permute(order);

        var (response, weights) = ResponseValidator.Build(rows, formula.Response, family, weightsColumn);
        var offset = Offset(rows, formula.Offsets);

        var design = FixedDesignSize.Of(rows, formula);
        design.Check(FixedDesignSize.AvailableBytes());
        Diagnostics.Begin($"fixed-effects design: {design}");
        var fixedColumns = DesignMatrixBuilder.Build(rows, formula.HasIntercept, formula.FixedTerms);
        var (kept, dropped) = RankReducer.Reduce(fixedColumns, parallel);

        var termGroups = RandomTermGroups.ByFactor(formula.RandomTerms);
        var blocks = new RandomEffectsBlock[termGroups.Count];
        for (int b = 0; b < blocks.Length; b++)
        {
            var group = b == 0 ? firstGroup : GroupingFactorBuilder.Build(rows, termGroups[b][0]);
            blocks[b] = RandomBlock(rows, termGroups[b], group, b == 0 ? offsets : null);
        }

        return new ModelFrame
        {
            Formula = formula,
            Family = family,
            Link = link,
            Response = response,
            Weights = weights,
            Offset = offset,
            X = ColumnMajor(kept, rows.Count),
            FixedNames = kept.Select(c => c.Name).ToArray(),
            DroppedColumns = dropped.ToArray(),
            FixedDesign = design,
            RandomEffects = blocks,
            DroppedRows = droppedRows,
            SourceRow = rows.SourceRow,
            WeightsColumn = weightsColumn,
            FactorLevels = FittedFactorLevels.Collect(rows, formula),
        };
    }

    /// <summary>Every row has a missing value in a column the model uses: name the column that is missing in all of them,
    /// or, failing one, how many rows each column misses.</summary>
    private static GlmmException NoRowsLeft(DataTable data, IEnumerable<string> used)
    {
        var missing = new List<(string Column, int Rows)>();
        foreach (var name in used.Distinct())
        {
            var column = data[name];
            int count = 0;
            for (int r = 0; r < column.Length; r++)
                if (column.IsMissing(r)) count++;
            if (count == data.RowCount) return new GlmmException($"no rows left: column '{name}' is missing in all {count} rows");
            if (count > 0) missing.Add((name, count));
        }
        return new GlmmException($"no rows left: each of the {data.RowCount} rows has a missing value in a column the model uses " +
            $"(missing: {string.Join(", ", missing.Select(m => $"'{m.Column}' in {m.Rows} rows"))})");
    }

    private static double[] Offset(ModelRows rows, IReadOnlyList<Expression> offsets)
    {
        var total = new double[rows.Count];
        foreach (var o in offsets)
        {
            var v = rows.Numbers(o, $"offset({o.Text})");
            for (int i = 0; i < total.Length; i++) total[i] += v[i];
        }
        return total;
    }

    /// <summary>One grouping factor's block: the columns of each of its terms, side by side (<see cref="RandomTermGroups"/>).</summary>
    private static RandomEffectsBlock RandomBlock(ModelRows rows, IReadOnlyList<RandomTerm> terms, Factor group, int[]? clusterOffsets)
    {
        var perTerm = new List<List<DesignColumn>>();
        foreach (var t in terms)
        {
            var termColumns = DesignMatrixBuilder.Build(rows, t.HasIntercept, t.Terms);
            if (termColumns.Count == 0)
                throw new GlmmException($"random term '{t}' has no columns: give an intercept or a variable");
            perTerm.Add(termColumns);
        }
        var term = RandomTermGroups.Combine(terms, perTerm.Select(c => (IReadOnlyList<string>)c.ConvertAll(x => x.Name)).ToList());
        var columns = perTerm.SelectMany(c => c).ToList();
        return new RandomEffectsBlock
        {
            Term = term,
            GroupingFactor = term.GroupingLabel,
            Levels = group.Levels,
            TermNames = columns.Select(c => c.Name).ToArray(),
            Correlated = term.Correlated,
            Z = ColumnMajor(columns, rows.Count),
            LevelOfRow = group.Codes,
            ClusterOffsets = clusterOffsets,
        };
    }

    private static double[] ColumnMajor(IReadOnlyList<DesignColumn> columns, int n)
    {
        var matrix = new double[(long)columns.Count * n];
        for (int c = 0; c < columns.Count; c++)
            Array.Copy(columns[c].Values, 0, matrix, (long)c * n, n);
        return matrix;
    }
}

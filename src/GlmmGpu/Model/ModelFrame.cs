using GlmmGpu.Kernels.Families;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// The random-effects part for one grouping term: Z (rows by q, column-major), the level of every row,
/// and, for the grouping factor the rows are sorted by, the CSR-style offsets of each cluster's rows.
/// </summary>
public sealed class RandomEffectsBlock
{
    public required RandomTerm Term { get; init; }
    /// <summary>The grouping factor's label: <c>g</c>, or <c>a:b</c> for a nested or interacted factor.</summary>
    public required string GroupingFactor { get; init; }
    /// <summary>Levels in R's order (index = level code).</summary>
    public required string[] Levels { get; init; }
    /// <summary>Names of Z's columns as lme4 prints them: <c>(Intercept)</c>, <c>x</c>.</summary>
    public required string[] TermNames { get; init; }
    public required bool Correlated { get; init; }
    /// <summary>Z column-major: entry (row i, column k) at <c>Z[k * n + i]</c>.</summary>
    public required double[] Z { get; init; }
    /// <summary>Level code of every row.</summary>
    public required int[] LevelOfRow { get; init; }
    /// <summary>
    /// Rows of level g are <c>[ClusterOffsets[g], ClusterOffsets[g+1])</c>; set only for the block whose
    /// factor the rows are sorted by (the first random term), null otherwise.
    /// </summary>
    public int[]? ClusterOffsets { get; init; }
    public int Q => TermNames.Length;
    public int LevelCount => Levels.Length;
}

/// <summary>
/// The model frame: everything an estimator needs, laid out for streaming. Rows that survived NA removal are
/// sorted by the first grouping factor so that each cluster is contiguous. Columns are contiguous arrays.
/// A frame built for prediction (<see cref="ModelFrameBuilder.BuildForPrediction"/>) differs: rows stay in
/// source order, no block has <see cref="RandomEffectsBlock.ClusterOffsets"/>, the response is NaN, and X
/// keeps every design column (the fit's coefficients pick theirs by name).
/// </summary>
public sealed class ModelFrame
{
    public required ModelFormula Formula { get; init; }
    public required FamilyKind Family { get; init; }
    public required LinkKind Link { get; init; }
    public int RowCount => Response.Length;
    /// <summary>The response: for binomial the number of successes (a proportion times its weight), else y.</summary>
    public required double[] Response { get; init; }
    /// <summary>Binomial trials (1 for 0/1 data); for other families the prior weights (1 when none).</summary>
    public required double[] Weights { get; init; }
    /// <summary>The sum of offset() terms per row (zeros when there are none).</summary>
    public required double[] Offset { get; init; }
    /// <summary>Fixed-effects design, column-major n by p, aliased columns already dropped.</summary>
    public required double[] X { get; init; }
    /// <summary>Names as R writes them: <c>(Intercept)</c>, <c>period2</c>, <c>x:z</c>.</summary>
    public required string[] FixedNames { get; init; }
    /// <summary>Columns dropped because they were linear combinations of earlier ones (lme4 reports these).</summary>
    public required string[] DroppedColumns { get; init; }
    /// <summary>The size of the fixed-effects design as planned, before aliased columns were dropped (null for frames built elsewhere).</summary>
    public FixedDesignSize? FixedDesign { get; init; }
    public required RandomEffectsBlock[] RandomEffects { get; init; }
    /// <summary>Rows removed because a column the model uses was missing (R's na.omit).</summary>
    public required int DroppedRows { get; init; }
    /// <summary>For each model-frame row, its 0-based row in the source data.</summary>
    public required int[] SourceRow { get; init; }
    /// <summary>The name of the weights column, when one was given.</summary>
    public string? WeightsColumn { get; init; }
    /// <summary>
    /// Levels, in R's order, of every factor used in the fixed part or in a random term's columns (not the
    /// grouping factors): prediction codes new data with them. Null for frames built without them.
    /// </summary>
    public IReadOnlyDictionary<string, string[]>? FactorLevels { get; init; }
    public int P => FixedNames.Length;

    /// <summary>Element (row, col) of X.</summary>
    public double XAt(int row, int col) => X[(long)col * RowCount + row];
}

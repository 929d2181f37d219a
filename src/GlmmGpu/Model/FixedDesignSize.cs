using System.Globalization;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// The size of the fixed-effects design, known before it is built, and the limits of the dense path that serves
/// it. X is held as rows times columns doubles; the GLM start forms X'WX (rows times columns squared per iteration)
/// and the standard errors take a likelihood evaluation per coefficient, so the work grows with rows times columns
/// squared. A factor with many levels costs none of that as a random effect, whose columns are never formed.
/// </summary>
/// <param name="Rows">Rows of the design.</param>
/// <param name="Columns">Its columns, before aliased ones are dropped.</param>
/// <param name="LargestTerm">The term with the most columns (the intercept when there is no other).</param>
/// <param name="LargestTermColumns">That term's columns.</param>
public sealed record FixedDesignSize(int Rows, long Columns, string LargestTerm, long LargestTermColumns)
{
    /// <summary>The most columns the dense path serves: beyond it the GLM start and the standard errors take hours.</summary>
    public const int MaxColumns = 2000;

    /// <summary>Rows times columns squared from which a fit is announced as slow (minutes rather than seconds).</summary>
    public const double SlowWork = 1e10;

    /// <summary>Whether the dense path's work is large enough to say so before the fit.</summary>
    public bool IsSlow => (double)Rows * Columns * Columns >= SlowWork;

    /// <summary><c>20000 rows by 1000 columns (f: 999)</c>.</summary>
    public override string ToString() =>
        $"{Rows} rows by {Columns} columns" + (LargestTermColumns > 1 ? $" ({LargestTerm}: {LargestTermColumns})" : "");

    /// <summary>A note for a slow design: what takes the time and what to do instead; null when the design is not slow.</summary>
    public string? SlowNote => IsSlow
        ? $"the fixed-effects design is {this}: the fit's work grows with rows times columns squared, and it may take minutes; {Remedy}"
        : null;

    internal static FixedDesignSize Of(ModelRows rows, ModelFormula formula)
    {
        var plan = DesignMatrixBuilder.Plan(rows, formula.HasIntercept, formula.FixedTerms);
        var (largestTerm, largestColumns) = plan.Count == 0 ? ("(Intercept)", 0L) : plan.MaxBy(t => t.Columns);
        long columns = plan.Aggregate(0L, (sum, t) => sum > long.MaxValue - t.Columns ? long.MaxValue : sum + t.Columns);
        return new FixedDesignSize(rows.Count, columns, largestTerm, largestColumns);
    }

    /// <summary>The memory this process may use, which the design must fit into twice (its columns, then X).</summary>
    public static long AvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Refuses, before anything is allocated, a design the dense path cannot serve: more than <see cref="MaxColumns"/>
    /// columns, more values than one array holds, or more memory than <paramref name="availableBytes"/>.
    /// </summary>
    public void Check(long availableBytes)
    {
        if (Columns > MaxColumns)
            throw new GlmmException(
                $"the fixed-effects design would have {Columns} columns, {LargestTermColumns} of them from the term '{LargestTerm}': " +
                $"glmm's dense fixed-effects path serves up to {MaxColumns}, as its work grows with rows times columns squared; {Remedy}");
        double values = (double)Rows * Columns, bytes = 2 * 8 * values;
        if (values > Array.MaxLength || bytes > availableBytes)
            throw new GlmmException(
                $"the fixed-effects design would be {this}, {Gigabytes(8 * values)} GB as doubles and twice that while it is built, " +
                (values > Array.MaxLength ? $"more values than one array holds ({Array.MaxLength})" : $"more than the {Gigabytes(availableBytes)} GB of memory available") +
                $"; {Remedy}");
    }

    /// <summary>What to do about a large design: a factor term as a random effect, or fewer terms.</summary>
    private string Remedy => LargestTermColumns > 1 && !LargestTerm.Contains('(')
        ? $"fit a factor with many levels as a random effect, (1 | {LargestTerm}) in place of {LargestTerm}, or merge its levels"
        : "use fewer fixed-effect terms";

    private static string Gigabytes(double bytes) => (bytes / (1L << 30)).ToString("0.0", CultureInfo.InvariantCulture);
}

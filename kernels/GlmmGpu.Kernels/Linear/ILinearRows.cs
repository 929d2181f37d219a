namespace GlmmGpu.Kernels.Linear;

/// <summary>
/// The rows a linear mixed model's cross-products are formed from: the columns of [X | Z | y] and the weights.
/// The CPU path implements it over arrays, the ILGPU kernels over ArrayViews, so <see cref="CrossProducts"/> is
/// written once. Columns 0..p-1 are X's, p..p+q-1 are Z's, p+q is the response (offset already taken out).
/// </summary>
public interface ILinearRows
{
    /// <summary>The prior weight (LMM) or the working weight (PQL) of a row.</summary>
    double Weight(int row);
    double Column(int column, int row);
}

/// <summary>
/// Where a cluster's cross-products go, in <c>LmmSufficientStatistics</c>'s layout: Z'WZ entry (c, d, e) at
/// <c>(c q + d) q + e</c>, Z'WX entry (c, d, a) at <c>(c q + d) p + a</c>, Z'Wy entry (c, d) at <c>c q + d</c>.
/// </summary>
public interface IClusterStatisticsTarget
{
    void SetZtWZ(int index, double value);
    void SetZtWX(int index, double value);
    void SetZtWy(int index, double value);
}

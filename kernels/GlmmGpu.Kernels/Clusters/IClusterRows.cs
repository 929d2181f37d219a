namespace GlmmGpu.Kernels.Clusters;

/// <summary>
/// Access to the rows of the clusters being integrated and to per-row scratch. The CPU path implements it
/// over arrays, the ILGPU kernels over ArrayViews, so the per-cluster math is written once.
/// Rows are global row indices; a cluster's rows are contiguous.
/// </summary>
public interface IClusterRows
{
    /// <summary>x'beta + offset of the row (computed once per evaluation, outside the integrand).</summary>
    double FixedEta(int row);
    /// <summary>Whether <see cref="ExpFixedEta"/> holds e^(x'beta + offset) for every row (the CPU path, for families
    /// that <see cref="Families.IRowLikelihood.TakesExpEta"/>); the kernels compute e^eta per row instead.</summary>
    bool HasExpFixedEta { get; }
    double ExpFixedEta(int row);
    double Response(int row);
    /// <summary>Binomial trials, else the prior weight.</summary>
    double Weight(int row);
    /// <summary>Random-effects design entry Z[row, column].</summary>
    double Z(int row, int column);
    /// <summary>Per-row gradient coefficient alpha (d loglik / d eta_fixed); the fixed-effects gradient is X' alpha.</summary>
    double Alpha(int row);
    void SetAlpha(int row, double value);
    /// <summary>Three per-row scratch slots (0: l' at a node, 1: l'' at the mode, 2: l''' at the mode).</summary>
    double Scratch(int slot, int row);
    void SetScratch(int slot, int row, double value);
    int GridCount { get; }
    /// <summary>Coordinate <paramref name="dim"/> of quadrature point <paramref name="point"/> (standardised).</summary>
    double GridZ(int point, int dim);
    double GridLogWeight(int point);
}

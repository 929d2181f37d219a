namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>One point of the grid: its lattice index, z = index x step, the variance parameters v(z), the fixed
/// effects' conditional Gaussian there (with log p(v | y)), and whether it lies within the threshold of the mode.</summary>
internal sealed record GridPoint(int[] Index, double[] Z, double[] Variance, ConditionalGaussian Conditional, bool Kept);

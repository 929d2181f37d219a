using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// The first correction to the fixed effects' conditional Gaussian (the next term of Laplace's expansion, as INLA's
/// simplified Laplace approximation corrects its Gaussian for skewness): with l the log posterior in beta, S the
/// Gaussian's covariance and T = l''' at the mode, the mean moves from the mode by S c / 2, c_j = sum_kl T_jkl S_kl,
/// and coefficient i's third cumulant is T[s_i, s_i, s_i], s_i = S's column i. Both come from second differences of
/// the exact gradient along directions, not the whole tensor: c from the p columns of S's Cholesky factor, the
/// cumulants from the p columns of S, each a step of <see cref="Step"/> standard deviations either way; one batch of
/// 1 + 4p points per grid point.
/// </summary>
internal static class ConditionalSkewness
{
    /// <summary>Steps of a quarter of a standard deviation: past the gradient's noise, inside the cubic's range.</summary>
    private const double Step = 0.25;

    public static ConditionalGaussian[] Apply(IBatchDensity density, int dimension, IReadOnlyList<double[]> variances,
        ConditionalGaussian[] conditionals, out long evaluations)
    {
        int p = conditionals.Length == 0 ? 0 : conditionals[0].Mode.Length;
        var requests = new List<EvaluationRequest>();
        var directions = new List<(double[,] Factor, double[][] Columns)>();
        var corrected = (ConditionalGaussian[])conditionals.Clone();
        // Points whose Newton iterations did not converge, or whose covariance rounds to indefinite, keep the Gaussian.
        var factors = conditionals.Select(c => c.Converged ? Dense.Cholesky(c.Covariance) : null).ToArray();
        var todo = Enumerable.Range(0, conditionals.Length).Where(k => factors[k] is not null).ToArray();
        foreach (int k in todo)
        {
            var c = conditionals[k];
            var factor = factors[k]!;
            // Direction m for c: column m of the factor; direction p + i for the cumulant: column i of S over its SD.
            var columns = new double[2 * p][];
            for (int m = 0; m < p; m++)
            {
                columns[m] = new double[p];
                for (int i = 0; i < p; i++) columns[m][i] = factor[i, m];
                columns[p + m] = new double[p];
                double sd = Math.Sqrt(c.Covariance[m, m]);
                for (int i = 0; i < p; i++) columns[p + m][i] = c.Covariance[i, m] / sd;
            }
            directions.Add((factor, columns));
            Add(requests, dimension, c.Mode, variances[k], null, 0);
            foreach (var d in columns)
            {
                Add(requests, dimension, c.Mode, variances[k], d, Step);
                Add(requests, dimension, c.Mode, variances[k], d, -Step);
            }
        }
        evaluations = requests.Count;
        if (requests.Count == 0) return corrected;
        density.Evaluate(requests);
        int per = 1 + 4 * p;
        for (int t = 0; t < todo.Length; t++)
        {
            var c = conditionals[todo[t]];
            var (_, columns) = directions[t];
            var batch = requests.GetRange(t * per, per);
            if (batch.Any(r => !double.IsFinite(r.LogDensity))) continue;
            // Second directional derivative of the gradient along direction d: (g(+) - 2 g(0) + g(-)) / step^2.
            double[] Curvature(int d)
            {
                var g0 = batch[0].Gradient;
                var plus = batch[1 + 2 * d].Gradient;
                var minus = batch[2 + 2 * d].Gradient;
                var result = new double[p];
                for (int j = 0; j < p; j++) result[j] = (plus[j] - 2 * g0[j] + minus[j]) / (Step * Step);
                return result;
            }
            var contraction = new double[p];
            for (int m = 0; m < p; m++)
            {
                var curvature = Curvature(m);
                for (int j = 0; j < p; j++) contraction[j] += curvature[j];
            }
            var shift = new double[p];
            var third = new double[p];
            for (int i = 0; i < p; i++)
            {
                for (int j = 0; j < p; j++) shift[i] += 0.5 * c.Covariance[i, j] * contraction[j];
                var curvature = Curvature(p + i);
                double alongUnit = 0;
                for (int j = 0; j < p; j++) alongUnit += curvature[j] * columns[p + i][j];
                // columns[p + i] is s_i / sqrt(S_ii), so T[s_i, s_i, s_i] = S_ii^(3/2) times the third derivative along it.
                third[i] = Math.Pow(c.Covariance[i, i], 1.5) * alongUnit;
            }
            corrected[todo[t]] = c with { Shift = shift, ThirdCumulant = third };
        }
        return corrected;
    }

    private static void Add(List<EvaluationRequest> requests, int dimension, double[] mode, double[] variance, double[]? direction, double step)
    {
        var r = new EvaluationRequest(dimension);
        int p = mode.Length;
        for (int i = 0; i < p; i++) r.Position[i] = mode[i] + (direction is null ? 0 : step * direction[i]);
        variance.CopyTo(r.Position, p);
        requests.Add(r);
    }
}

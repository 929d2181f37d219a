namespace GlmmGpu.Kernels.Quadrature;

/// <summary>
/// Gauss–Hermite rule for the weight exp(-x^2): nodes and weights such that sum w_k f(x_k) integrates
/// f(x) exp(-x^2) exactly for polynomials of degree up to 2K - 1. Newton's method on the orthonormal
/// Hermite recurrence (Numerical Recipes' gauher) stays accurate for K in the hundreds.
/// </summary>
public static class GaussHermite
{
    public static (double[] Nodes, double[] Weights) Rule(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "the number of quadrature nodes must be at least 1");
        if (k == 1) return (new[] { 0.0 }, new[] { Math.Sqrt(Math.PI) });
        const double piToMinusQuarter = 0.7511255444649425;
        var x = new double[k];
        var w = new double[k];
        int m = (k + 1) / 2;
        double z = 0;
        for (int i = 0; i < m; i++)
        {
            // Initial guesses for the largest roots first, each next one extrapolated from the previous two.
            if (i == 0) z = Math.Sqrt(2.0 * k + 1) - 1.85575 * Math.Pow(2.0 * k + 1, -0.16667);
            else if (i == 1) z -= 1.14 * Math.Pow(k, 0.426) / z;
            else if (i == 2) z = 1.86 * z - 0.86 * x[0];
            else if (i == 3) z = 1.91 * z - 0.91 * x[1];
            else z = 2.0 * z - x[i - 2];
            double pp = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                double p1 = piToMinusQuarter, p2 = 0.0;
                for (int j = 1; j <= k; j++)
                {
                    double p3 = p2;
                    p2 = p1;
                    p1 = z * Math.Sqrt(2.0 / j) * p2 - Math.Sqrt((j - 1.0) / j) * p3;
                }
                pp = Math.Sqrt(2.0 * k) * p2;
                double z1 = z;
                z = z1 - p1 / pp;
                if (Math.Abs(z - z1) <= 1e-15 * Math.Max(1.0, Math.Abs(z))) break;
            }
            x[i] = z;
            x[k - 1 - i] = -z;
            w[i] = 2.0 / (pp * pp);
            w[k - 1 - i] = w[i];
        }
        if (k % 2 == 1) x[m - 1] = 0.0;
        return (x, w);
    }
}

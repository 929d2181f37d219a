namespace GlmmGpu.Kernels.Quadrature;

/// <summary>
/// Gauss–Hermite rule for the weight exp(-x^2): nodes and weights such that sum w_k f(x_k) integrates
/// f(x) exp(-x^2) exactly for polynomials of degree up to 2K - 1. Newton's method on the orthonormal Hermite
/// recurrence from Numerical Recipes' starting guesses (gauher); each root it finds is confirmed as the one sought by
/// counting the eigenvalues of the Jacobi matrix below and above it (Golub–Welsch's eigenvalue problem, by Sturm
/// sequence). A root that fails is bracketed by bisection on that count instead and then polished by Newton's method:
/// from 199 nodes up the first guess misses its root, and unchecked, every later guess, extrapolated from it, fell onto
/// the largest root. Weights are also given as logarithms, which stay finite where the outermost weights are below
/// double's range.
/// </summary>
public static class GaussHermite
{
    /// <summary>pi^(-1/4): the orthonormal Hermite polynomial of degree 0.</summary>
    private const double PiToMinusQuarter = 0.7511255444649425;
    /// <summary>The recurrence is scaled by an exact power of two past 2^400, so that its values do not overflow for
    /// large K, the Newton step (a ratio) is unchanged bit for bit, and 2/p'^2 stays a normal double.</summary>
    private const int RescaleExponent = 400;
    private static readonly double RescaleAbove = Math.ScaleB(1.0, RescaleExponent);
    /// <summary>The smallest pivot the Sturm count divides by (a zero pivot is moved to it, as LAPACK's dstebz does).</summary>
    private const double PivotFloor = 1e-300;

    /// <summary>Nodes (in decreasing order) and weights. For K in the hundreds the outermost weights are below
    /// 1e-308 and round to zero; <see cref="Compute"/> also gives their logarithms.</summary>
    public static (double[] Nodes, double[] Weights) Rule(int k)
    {
        var (x, w, _) = Compute(k);
        return (x, w);
    }

    /// <summary>Nodes in decreasing order, weights, and the weights' natural logarithms (finite for every K).</summary>
    public static (double[] Nodes, double[] Weights, double[] LogWeights) Compute(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "the number of quadrature nodes must be at least 1");
        if (k == 1) return ([0.0], [Math.Sqrt(Math.PI)], [Math.Log(Math.Sqrt(Math.PI))]);
        var x = new double[k];
        var w = new double[k];
        var logW = new double[k];
        int m = (k + 1) / 2;
        // Every root lies below the Jacobi matrix's Gershgorin bound, 2 max_j sqrt(j / 2).
        double gershgorin = 2.0 * Math.Sqrt((k - 1) / 2.0) + 1.0;
        double z = 0;
        for (int i = 0; i < m; i++)
        {
            // Root i in decreasing order is eigenvalue k - 1 - i in increasing order.
            int index = k - 1 - i;
            if (i == 0) z = Math.Sqrt(2.0 * k + 1) - 1.85575 * Math.Pow(2.0 * k + 1, -0.16667);
            else if (i == 1) z -= 1.14 * Math.Pow(k, 0.426) / z;
            else if (i == 2) z = 1.86 * z - 0.86 * x[0];
            else if (i == 3) z = 1.91 * z - 0.91 * x[1];
            else z = 2.0 * z - x[i - 2];
            var (root, pp, scale) = Newton(k, z);
            if (!IsEigenvalue(k, index, root))
            {
                // Bracketed below by zero and above by the previous root; an odd rule's middle root is zero.
                double start = k % 2 == 1 && i == m - 1 ? 0.0 : SturmBisection(k, index, 0.0, i == 0 ? gershgorin : x[i - 1]);
                (root, pp, scale) = Newton(k, start);
                if (!IsEigenvalue(k, index, root))
                    throw new InvalidOperationException($"the {k}-node Gauss-Hermite rule: root {i} was not found");
            }
            z = root;
            x[i] = z;
            x[k - 1 - i] = -z;
            if (scale == 0)
            {
                w[i] = 2.0 / (pp * pp);
                logW[i] = Math.Log(w[i]);
            }
            else
            {
                logW[i] = Math.Log(2.0) - 2.0 * (Math.Log(Math.Abs(pp)) + scale * RescaleExponent * Math.Log(2.0));
                w[i] = Math.Exp(logW[i]);
            }
            w[k - 1 - i] = w[i];
            logW[k - 1 - i] = logW[i];
        }
        if (k % 2 == 1) x[m - 1] = 0.0;
        Check(k, x, logW);
        return (x, w, logW);
    }

    /// <summary>
    /// Newton's method on p_K, with p_K' at the last point evaluated (the weight's: the last step is below 1e-15
    /// relative) and the number of times the recurrence was scaled there.
    /// </summary>
    private static (double Root, double Derivative, int Scale) Newton(int k, double z)
    {
        double pp = 0;
        int scale = 0;
        for (int iter = 0; iter < 100; iter++)
        {
            (double p1, double p2, scale) = Recurrence(k, z);
            pp = Math.Sqrt(2.0 * k) * p2;
            double z1 = z;
            z = z1 - p1 / pp;
            if (Math.Abs(z - z1) <= 1e-15 * Math.Max(1.0, Math.Abs(z))) break;
        }
        return (z, pp, scale);
    }

    /// <summary>The orthonormal Hermite polynomials of degrees K and K - 1 at z, both divided by 2^(400 scale).</summary>
    private static (double PK, double PKMinus1, int Scale) Recurrence(int k, double z)
    {
        double p1 = PiToMinusQuarter, p2 = 0.0;
        int scale = 0;
        for (int j = 1; j <= k; j++)
        {
            double p3 = p2;
            p2 = p1;
            p1 = z * Math.Sqrt(2.0 / j) * p2 - Math.Sqrt((j - 1.0) / j) * p3;
            if (Math.Abs(p1) > RescaleAbove)
            {
                p1 = Math.ScaleB(p1, -RescaleExponent);
                p2 = Math.ScaleB(p2, -RescaleExponent);
                scale++;
            }
        }
        return (p1, p2, scale);
    }

    /// <summary>Whether <paramref name="z"/> is the Jacobi matrix's eigenvalue number <paramref name="index"/> (from
    /// the smallest): exactly that many lie below a point just under it, one more below a point just over it. The
    /// margin is far below the roots' spacing and far above the count's rounding.</summary>
    private static bool IsEigenvalue(int k, int index, double z)
    {
        if (!double.IsFinite(z)) return false;
        double margin = 1e-9 * Math.Max(1.0, Math.Abs(z));
        return EigenvaluesBelow(k, z - margin) == index && EigenvaluesBelow(k, z + margin) == index + 1;
    }

    /// <summary>The Jacobi matrix's eigenvalue number <paramref name="index"/> in [<paramref name="lo"/>,
    /// <paramref name="hi"/>], by bisection on <see cref="EigenvaluesBelow"/>, to the last bits the bracket resolves.</summary>
    private static double SturmBisection(int k, int index, double lo, double hi)
    {
        for (int iter = 0; iter < 200; iter++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            if (EigenvaluesBelow(k, mid) > index) hi = mid;
            else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>How many eigenvalues of the Jacobi matrix of the Hermite weight (zero diagonal, off-diagonal
    /// sqrt(j / 2)) lie below <paramref name="s"/>: the negative pivots of J - sI (Sturm's count).</summary>
    private static int EigenvaluesBelow(int k, double s)
    {
        int count = 0;
        double d = -s;
        for (int j = 0; j < k; j++)
        {
            if (j > 0) d = -s - (j / 2.0) / d;
            if (Math.Abs(d) < PivotFloor) d = -PivotFloor;
            if (d < 0) count++;
        }
        return count;
    }

    /// <summary>
    /// The rule is refused rather than used when its nodes are not distinct and decreasing or its weights do not sum to
    /// sqrt(pi): a wrong rule gives a wrong likelihood that the optimizer would maximise without complaint.
    /// </summary>
    private static void Check(int k, double[] x, double[] logW)
    {
        for (int i = 1; i < k; i++)
            if (!(x[i] < x[i - 1]))
                throw new InvalidOperationException($"the {k}-node Gauss-Hermite rule has nodes out of order at {i}: {x[i - 1]:R}, {x[i]:R}");
        // The tails' (smallest) weights first, so that they are not lost below the central ones' rounding.
        double sum = 0;
        for (int i = 0; i < k / 2; i++) sum += 2.0 * Math.Exp(logW[i]);
        if (k % 2 == 1) sum += Math.Exp(logW[k / 2]);
        double error = Math.Abs(sum - Math.Sqrt(Math.PI)) / Math.Sqrt(Math.PI);
        if (!(error <= 1e-12))
            throw new InvalidOperationException($"the {k}-node Gauss-Hermite rule's weights sum to {sum:R}, not sqrt(pi) (relative error {error:G3})");
    }
}

using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// Coordinates for one grouping factor's covariance in which each SD is a coordinate of its own, as lme4's profile
/// holds them: sd_0 .. sd_{q-1}, then, for correlated effects, a_ij (i &gt; j, by rows: (1,0), (2,0), (2,1)). Row i
/// of the (lower-triangular) factor is sd_i w_i / |w_i| with w_i = (a_i0, ..., a_i,i-1, 1), so its length is sd_i,
/// and corr(1, 0) = a_10 / sqrt(1 + a_10^2) is a coordinate too (up to that monotone map). Lambda is on the scale the
/// caller gives it (the response's for a Gaussian model's SDs).
/// </summary>
/// <remarks>With <c>order</c>, the coordinates are those of the effects taken in that order (position k holds effect
/// order[k]) and Lambda is the Cholesky factor of the covariance they give, in the effects' own order: corr(order[1],
/// order[0]) is then a coordinate, which is how the other correlations of three effects are profiled. Its chain rule is
/// by central differences of that map (a 3 x 3 Cholesky factor per point).</remarks>
internal sealed class CovarianceCoordinates(int q, bool correlated, int[]? order = null)
{
    public int Q { get; } = q;
    public bool Correlated { get; } = correlated && q > 1;
    /// <summary>The effects' order the coordinates take them in (null: their own).</summary>
    public int[]? Order { get; } = order;
    public int Count => Q + (Correlated ? Q * (Q - 1) / 2 : 0);
    public int CorrelationCount => Correlated ? Q * (Q - 1) / 2 : 0;

    /// <summary>The index of a_ij among the coordinates (i &gt; j).</summary>
    public int OffDiagonalIndex(int i, int j) => Q + i * (i - 1) / 2 + j;

    /// <summary>The factor at the coordinates <paramref name="c"/>.</summary>
    public Mat3 Lambda(ReadOnlySpan<double> c)
    {
        if (Order is null) return OwnOrderLambda(c);
        var permuted = OwnOrderLambda(c);
        var covariance = default(Mat3);
        for (int a = 0; a < Q; a++)
            for (int b = 0; b < Q; b++)
            {
                double s = 0;
                for (int k = 0; k <= Math.Min(a, b); k++) s += permuted[a, k] * permuted[b, k];
                covariance[Order[a], Order[b]] = s;
            }
        return CholeskyAllowingZeros(covariance, Q);
    }

    /// <summary>The lower Cholesky factor with a positive diagonal; a zero pivot (a variance at zero) gives a zero column.</summary>
    internal static Mat3 CholeskyAllowingZeros(in Mat3 a, int q)
    {
        var l = default(Mat3);
        for (int j = 0; j < q; j++)
        {
            double d = a[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            double pivot = Math.Sqrt(Math.Max(d, 0));
            l[j, j] = pivot;
            for (int i = j + 1; i < q; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = pivot > 0 ? s / pivot : 0;
            }
        }
        return l;
    }

    private Mat3 OwnOrderLambda(ReadOnlySpan<double> c)
    {
        var lambda = default(Mat3);
        for (int i = 0; i < Q; i++)
        {
            if (!Correlated)
            {
                lambda[i, i] = c[i];
                continue;
            }
            double norm2 = 1.0;
            for (int j = 0; j < i; j++) norm2 += c[OffDiagonalIndex(i, j)] * c[OffDiagonalIndex(i, j)];
            double scale = c[i] / Math.Sqrt(norm2);
            for (int j = 0; j < i; j++) lambda[i, j] = scale * c[OffDiagonalIndex(i, j)];
            lambda[i, i] = scale;
        }
        return lambda;
    }

    /// <summary>d Lambda[row, column] / d c[k], for the chain rule from Lambda's gradient to the coordinates'.</summary>
    public void LambdaGradient(ReadOnlySpan<double> c, in Mat3 lambdaGradient, Span<double> gradient)
    {
        if (Order is not null)
        {
            var x = c.ToArray();
            for (int k = 0; k < Count; k++)
            {
                double h = 1e-6 * Math.Max(1.0, Math.Abs(x[k])), original = x[k];
                x[k] = original + h;
                var plus = Lambda(x);
                x[k] = original - h;
                var minus = Lambda(x);
                x[k] = original;
                double sum = 0;
                for (int r = 0; r < Q; r++)
                    for (int col = 0; col <= r; col++) sum += lambdaGradient[r, col] * (plus[r, col] - minus[r, col]);
                gradient[k] = sum / (2 * h);
            }
            return;
        }
        for (int i = 0; i < Q; i++)
        {
            if (!Correlated)
            {
                gradient[i] = lambdaGradient[i, i];
                continue;
            }
            // Row i = sd w / |w|: d/d sd = w / |w|; d/d a_ij = sd (e_j / |w| - w w_j / |w|^3).
            double norm2 = 1.0;
            for (int j = 0; j < i; j++) norm2 += c[OffDiagonalIndex(i, j)] * c[OffDiagonalIndex(i, j)];
            double norm = Math.Sqrt(norm2), sd = c[i];
            double wDotG = lambdaGradient[i, i];
            for (int j = 0; j < i; j++) wDotG += c[OffDiagonalIndex(i, j)] * lambdaGradient[i, j];
            gradient[i] = wDotG / norm;
            for (int j = 0; j < i; j++)
            {
                double a = c[OffDiagonalIndex(i, j)];
                gradient[OffDiagonalIndex(i, j)] = sd * (lambdaGradient[i, j] / norm - a * wDotG / (norm2 * norm));
            }
        }
    }

    /// <summary>The coordinates of <paramref name="lambda"/>, its columns' signs first made to give a positive diagonal
    /// (Lambda D Lambda' is Lambda Lambda' for D = diag(+-1)).</summary>
    public double[] FromLambda(in Mat3 lambda)
    {
        var c = new double[Count];
        var l = lambda;
        if (Order is not null)
        {
            var covariance = default(Mat3);
            for (int a = 0; a < Q; a++)
                for (int b = 0; b < Q; b++)
                {
                    double s = 0;
                    for (int k = 0; k < Q; k++) s += lambda[Order[a], k] * lambda[Order[b], k];
                    covariance[a, b] = s;
                }
            l = CholeskyAllowingZeros(covariance, Q);
        }
        for (int j = 0; j < Q; j++)
            if (l[j, j] < 0)
                for (int i = j; i < Q; i++) l[i, j] = -l[i, j];
        for (int i = 0; i < Q; i++)
        {
            double norm2 = 0;
            for (int j = 0; j <= i; j++) norm2 += l[i, j] * l[i, j];
            c[i] = Math.Sqrt(norm2);
            if (!Correlated) continue;
            // A zero diagonal leaves the direction undefined: a large a along the row keeps it.
            double diagonal = Math.Max(l[i, i], 1e-8 * c[i]);
            for (int j = 0; j < i; j++) c[OffDiagonalIndex(i, j)] = diagonal > 0 ? l[i, j] / diagonal : 0.0;
        }
        return c;
    }

    /// <summary>The SDs and the correlations (lower triangle by rows) at <paramref name="c"/>.</summary>
    public (double[] Sd, double[] Corr) Natural(ReadOnlySpan<double> c)
    {
        var lambda = Lambda(c);
        var sd = new double[Q];
        for (int i = 0; i < Q; i++)
        {
            double s = 0;
            for (int m = 0; m <= i; m++) s += lambda[i, m] * lambda[i, m];
            sd[i] = Math.Sqrt(s);
        }
        var corr = new double[CorrelationCount];
        int k = 0;
        for (int i = 1; i < Q && Correlated; i++)
            for (int j = 0; j < i; j++)
            {
                double s = 0;
                for (int m = 0; m <= j; m++) s += lambda[i, m] * lambda[j, m];
                corr[k++] = sd[i] > 0 && sd[j] > 0 ? s / (sd[i] * sd[j]) : double.NaN;
            }
        return (sd, corr);
    }

    /// <summary>corr(1, 0) from a_10, and back: the one correlation that is itself a coordinate.</summary>
    public static double CorrelationOf(double a) => double.IsPositiveInfinity(a) ? 1 : double.IsNegativeInfinity(a) ? -1 : a / Math.Sqrt(1 + a * a);
}

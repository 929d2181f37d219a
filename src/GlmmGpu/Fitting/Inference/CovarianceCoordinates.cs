using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// Coordinates for one grouping factor's covariance in which each SD is a coordinate of its own, as lme4's profile
/// holds them: sd_0 .. sd_{q-1}, then, for correlated effects, a_ij (i &gt; j, by rows: (1,0), (2,0), (2,1)). Row i
/// of the (lower-triangular) factor is sd_i w_i / |w_i| with w_i = (a_i0, ..., a_i,i-1, 1), so its length is sd_i,
/// and corr(1, 0) = a_10 / sqrt(1 + a_10^2) is a coordinate too (up to that monotone map). Lambda is on the scale the
/// caller gives it (the response's for a Gaussian model's SDs).
/// </summary>
internal sealed class CovarianceCoordinates(int q, bool correlated)
{
    public int Q { get; } = q;
    public bool Correlated { get; } = correlated && q > 1;
    public int Count => Q + (Correlated ? Q * (Q - 1) / 2 : 0);
    public int CorrelationCount => Correlated ? Q * (Q - 1) / 2 : 0;

    /// <summary>The index of a_ij among the coordinates (i &gt; j).</summary>
    public int OffDiagonalIndex(int i, int j) => Q + i * (i - 1) / 2 + j;

    /// <summary>The factor at the coordinates <paramref name="c"/>.</summary>
    public Mat3 Lambda(ReadOnlySpan<double> c)
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
        for (int i = 0; i < Q; i++) sd[i] = Math.Abs(c[i]);
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

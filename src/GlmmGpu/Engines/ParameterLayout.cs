using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Engines;

/// <summary>
/// The optimizer's parameter vector psi = (beta, theta, log phi): theta holds Lambda's lower triangle by
/// columns (lme4's order) for correlated effects, or its diagonal for uncorrelated ones (<c>||</c>). The sign
/// of a column of Lambda does not change Lambda Lambda', so theta is left unbounded and a variance at zero is
/// an interior stationary point (a singular fit), not a bound the optimizer has to handle.
/// </summary>
internal sealed class ParameterLayout
{
    public int P { get; }
    public int Q { get; }
    public bool Correlated { get; }
    public int ThetaCount { get; }
    public bool HasDispersion { get; }
    public int Count => P + ThetaCount + (HasDispersion ? 1 : 0);
    public int ThetaOffset => P;
    public int DispersionIndex => P + ThetaCount;

    public ParameterLayout(int p, int q, bool correlated, bool hasDispersion)
    {
        P = p;
        Q = q;
        Correlated = correlated && q > 1;
        ThetaCount = Correlated ? q * (q + 1) / 2 : q;
        HasDispersion = hasDispersion;
    }

    /// <summary>(row, column) of Lambda that theta[k] holds.</summary>
    public (int Row, int Column) ThetaPosition(int k)
    {
        if (!Correlated) return (k, k);
        int idx = 0;
        for (int col = 0; col < Q; col++)
            for (int row = col; row < Q; row++)
            {
                if (idx == k) return (row, col);
                idx++;
            }
        throw new ArgumentOutOfRangeException(nameof(k));
    }

    /// <summary>The index in theta of Lambda[row, column].</summary>
    public int ThetaIndex(int row, int column)
    {
        for (int k = 0; k < ThetaCount; k++)
            if (ThetaPosition(k) == (row, column)) return k;
        throw new ArgumentOutOfRangeException(nameof(row), $"Lambda[{row}, {column}] is not a parameter");
    }

    public bool IsThetaDiagonal(int k)
    {
        var (r, c) = ThetaPosition(k);
        return r == c;
    }

    public Mat3 Lambda(ReadOnlySpan<double> psi)
    {
        var lambda = default(Mat3);
        for (int k = 0; k < ThetaCount; k++)
        {
            var (r, c) = ThetaPosition(k);
            lambda[r, c] = psi[P + k];
        }
        return lambda;
    }

    /// <summary>What every cluster's integral needs from psi, for any engine.</summary>
    public IntegrandParameters Integrand(ReadOnlySpan<double> psi, bool computeGradient) => new()
    {
        Lambda = Lambda(psi),
        Phi = Phi(psi),
        HasDispersion = HasDispersion,
        ComputeGradient = computeGradient,
    };

    public double Phi(ReadOnlySpan<double> psi) => HasDispersion ? Math.Exp(psi[DispersionIndex]) : 1.0;

    public void ScatterLambdaGradient(in Mat3 gradient, Span<double> grad)
    {
        for (int k = 0; k < ThetaCount; k++)
        {
            var (r, c) = ThetaPosition(k);
            grad[P + k] = gradient[r, c];
        }
    }
}

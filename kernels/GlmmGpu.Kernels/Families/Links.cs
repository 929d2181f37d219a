using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Kernels.Families;

/// <summary>
/// An inverse link mu = g^-1(eta) with its first three derivatives; the third feeds the exact gradient of
/// the Laplace/AGQ approximation (the curvature at the mode moves with the parameters).
/// </summary>
public interface ILink
{
    void Inverse(double eta, out double mu, out double d1, out double d2, out double d3);
    /// <summary>The link itself, eta = g(mu) (for starting values).</summary>
    double Link(double mu);
}

public readonly struct LogitLink : ILink
{
    /// <summary>|eta| beyond this is clamped before its exp: e^700 is finite, and mu, 1 - mu and mu(1 - mu) are
    /// 0, 1 or below 1e-304 there, as they would be unclamped.</summary>
    private const double EtaLimit = 700.0;

    public double Link(double mu) => PortableMath.Log(mu / (1.0 - mu));

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        // (This runs once per row in every IRLS and PQL pass.)
        FromExpEta(ExpClamped(eta), out mu, out double complement, out d1);
        d2 = d1 * (complement - mu);
        d3 = d1 * (1.0 - 6.0 * d1);
    }

    /// <summary>e^eta with eta clamped to the range where the logistic's tails are still resolved.</summary>
    public static double ExpClamped(double eta) => PortableMath.Exp(Math.Min(Math.Max(eta, -EtaLimit), EtaLimit));

    /// <summary>
    /// mu = e/(1+e), 1 - mu = 1/(1+e) and mu(1 - mu) = mu/(1+e) from e = e^eta: each keeps its relative precision in
    /// both tails (1 - mu is never formed by cancellation), and nothing branches on eta's sign. Half the rows of
    /// real data have each sign, and the branches of the earlier e^-|eta| form were mispredicted often enough to
    /// take two thirds of a logistic row's time (10.3 against 3.4 ns per row, one core).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void FromExpEta(double e, out double mu, out double complement, out double variance)
    {
        complement = 1.0 / (1.0 + e);
        mu = e * complement;
        variance = mu * complement;
    }
}

public readonly struct ProbitLink : ILink
{
    public double Link(double mu)
    {
        // Starting values only: bisection on the CDF is plenty accurate and needs no quantile table.
        double lo = -40, hi = 40;
        for (int i = 0; i < 200 && hi - lo > 1e-13; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (SpecialFunctions.NormalCdf(mid) < mu) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        mu = SpecialFunctions.NormalCdf(eta);
        double phi = SpecialFunctions.NormalDensity(eta);
        d1 = phi;
        d2 = -eta * phi;
        d3 = (eta * eta - 1.0) * phi;
    }
}

public readonly struct CloglogLink : ILink
{
    public double Link(double mu) => PortableMath.Log(-PortableMath.Log(1.0 - mu));

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        double t = PortableMath.Exp(eta);
        double s = PortableMath.Exp(-t);
        mu = 1.0 - s;
        d1 = t * s;
        d2 = d1 * (1.0 - t);
        d3 = d1 * ((1.0 - t) * (1.0 - t) - t);
    }
}

public readonly struct LogLink : ILink
{
    public double Link(double mu) => PortableMath.Log(mu);

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        mu = PortableMath.Exp(eta);
        d1 = mu;
        d2 = mu;
        d3 = mu;
    }
}

public readonly struct IdentityLink : ILink
{
    public double Link(double mu) => mu;

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        mu = eta;
        d1 = 1.0;
        d2 = 0.0;
        d3 = 0.0;
    }
}

public readonly struct SqrtLink : ILink
{
    public double Link(double mu) => Math.Sqrt(mu);

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        mu = eta * eta;
        d1 = 2.0 * eta;
        d2 = 2.0;
        d3 = 0.0;
    }
}

public readonly struct InverseLink : ILink
{
    public double Link(double mu) => 1.0 / mu;

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        double inv = 1.0 / eta;
        mu = inv;
        d1 = -inv * inv;
        d2 = 2.0 * inv * inv * inv;
        d3 = -6.0 * inv * inv * inv * inv;
    }
}

/// <summary>The 1/mu^2 link of the inverse Gaussian: mu = eta^(-1/2).</summary>
public readonly struct InverseSquareLink : ILink
{
    public double Link(double mu) => 1.0 / (mu * mu);

    public void Inverse(double eta, out double mu, out double d1, out double d2, out double d3)
    {
        mu = 1.0 / Math.Sqrt(eta);
        double inv = 1.0 / eta;
        d1 = -0.5 * mu * inv;
        d2 = 0.75 * mu * inv * inv;
        d3 = -1.875 * mu * inv * inv * inv;
    }
}

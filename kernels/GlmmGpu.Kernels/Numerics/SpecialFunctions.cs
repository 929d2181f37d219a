namespace GlmmGpu.Kernels.Numerics;

/// <summary>
/// Log-gamma, digamma and the normal CDF written as plain static code on doubles, because .NET has none of
/// them and ILGPU kernels can call only plain code (no System.Numerics types, no allocation).
/// </summary>
public static class SpecialFunctions
{
    private const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>log Gamma(x) for x &gt; 0; Lanczos (g = 7, 9 terms), about 1e-15 relative.</summary>
    public static double LogGamma(double x)
    {
        // Reflection keeps the Lanczos sum in its accurate range: Gamma(x) Gamma(1-x) = pi / sin(pi x).
        // Written without recursion, which ILGPU's GPU backends cannot compile.
        if (x < 0.5) return 1.1447298858494002 - PortableMath.Log(Math.Abs(Math.Sin(Math.PI * x))) - LanczosLogGamma(1.0 - x);
        return LanczosLogGamma(x);
    }

    /// <summary>The Lanczos sum, accurate for x &gt;= 0.5.</summary>
    private static double LanczosLogGamma(double x)
    {
        x -= 1.0;
        double a = 0.99999999999980993;
        a += 676.5203681218851 / (x + 1.0);
        a += -1259.1392167224028 / (x + 2.0);
        a += 771.32342877765313 / (x + 3.0);
        a += -176.61502916214059 / (x + 4.0);
        a += 12.507343278686905 / (x + 5.0);
        a += -0.13857109526572012 / (x + 6.0);
        a += 9.9843695780195716e-6 / (x + 7.0);
        a += 1.5056327351493116e-7 / (x + 8.0);
        double t = x + 7.5;
        return HalfLogTwoPi + (x + 0.5) * PortableMath.Log(t) - t + PortableMath.Log(a);
    }

    /// <summary>The digamma function psi(x) = d/dx log Gamma(x), x &gt; 0.</summary>
    public static double Digamma(double x)
    {
        double result = 0.0;
        // Recurrence psi(x) = psi(x + 1) - 1/x moves x where the asymptotic series is accurate.
        while (x < 6.0)
        {
            result -= 1.0 / x;
            x += 1.0;
        }
        double inv = 1.0 / x;
        double inv2 = inv * inv;
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
        return result + PortableMath.Log(x) - 0.5 * inv - series;
    }

    /// <summary>log(1 + exp(x)) without overflow.</summary>
    public static double Softplus(double x) =>
        x > 0 ? x + PortableMath.Log(1.0 + PortableMath.Exp(-x)) : PortableMath.Log(1.0 + PortableMath.Exp(x));

    /// <summary>The standard normal density.</summary>
    public static double NormalDensity(double x) => 0.39894228040143267794 * PortableMath.Exp(-0.5 * x * x);

    /// <summary>The standard normal CDF, accurate to about 1e-15 in both tails (through erfc).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x * 0.70710678118654752440);

    /// <summary>
    /// The complementary error function: a Taylor series near zero, a continued fraction (Lentz) in the
    /// tails, where the series would cancel catastrophically.
    /// </summary>
    public static double Erfc(double x) => x < 0 ? 2.0 - ErfcNonNegative(-x) : ErfcNonNegative(x);

    /// <summary>erfc for x &gt;= 0 (the reflection is in <see cref="Erfc"/>, not a recursive call: ILGPU's GPU
    /// backends cannot compile recursion).</summary>
    private static double ErfcNonNegative(double x)
    {
        if (x < 2.0)
        {
            // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return 1.0 - 1.1283791670955126 * sum;
        }
        if (x > 27.0) return 0.0;
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), modified Lentz.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0.0;
        for (int k = 1; k < 300; k++)
        {
            double a = 0.5 * k;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return PortableMath.Exp(-x * x) / (f * 1.7724538509055160273);
    }
}

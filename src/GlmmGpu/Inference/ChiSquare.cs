using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Inference;

/// <summary>
/// The chi-square distribution's upper tail, R's <c>pchisq(x, df, lower.tail = FALSE)</c>, through the regularised
/// incomplete gamma function: P(X &gt; x) = Q(df/2, x/2). The series for P below a + 1, the continued fraction
/// (modified Lentz) for Q above, each computed directly, so that a small tail keeps its relative accuracy.
/// </summary>
public static class ChiSquare
{
    private const int MaxTerms = 10_000;
    private const double Epsilon = 1e-16;

    public static double UpperTail(double x, double df)
    {
        if (!(df > 0) || double.IsNaN(x)) return double.NaN;
        if (x <= 0) return 1.0;
        if (double.IsPositiveInfinity(x)) return 0.0;
        return RegularizedUpperGamma(df / 2, x / 2);
    }

    /// <summary>Q(a, x) = Gamma(a, x) / Gamma(a), a &gt; 0, x &gt; 0.</summary>
    public static double RegularizedUpperGamma(double a, double x)
    {
        if (x < a + 1) return 1.0 - LowerSeries(a, x);
        return UpperContinuedFraction(a, x);
    }

    /// <summary>P(a, x) = x^a e^-x / Gamma(a + 1) * sum x^n / ((a + 1) ... (a + n)).</summary>
    private static double LowerSeries(double a, double x)
    {
        double term = 1.0 / a, sum = term, ap = a;
        for (int n = 0; n < MaxTerms && Math.Abs(term) > Math.Abs(sum) * Epsilon; n++)
        {
            ap += 1;
            term *= x / ap;
            sum += term;
        }
        return sum * Math.Exp(-x + a * Math.Log(x) - SpecialFunctions.LogGamma(a));
    }

    /// <summary>Q(a, x) by Legendre's continued fraction, evaluated by the modified Lentz method.</summary>
    private static double UpperContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < MaxTerms; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon) break;
        }
        return Math.Exp(-x + a * Math.Log(x) - SpecialFunctions.LogGamma(a)) * h;
    }
}

using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// Azzalini's skew normal with location xi, scale omega and shape alpha, matched to a mean, variance and third
/// cumulant (as INLA's simplified Laplace approximation fits it), its skewness held within +-<see cref="MaxSkewness"/>;
/// zero skewness is the normal. CDF: Phi(z) - 2 T(z, alpha), z = (x - xi) / omega, with Owen's T by Gauss-Legendre.
/// </summary>
internal readonly record struct SkewNormal(double Location, double Scale, double Shape)
{
    /// <summary>Skewness beyond this is held at it: a fixed effect's conditional posterior that skewed is far from
    /// the Gaussian the correction starts from.</summary>
    public const double MaxSkewness = 0.5;

    public static SkewNormal FromCumulants(double mean, double variance, double thirdCumulant)
    {
        double skewness = Math.Clamp(thirdCumulant / Math.Pow(variance, 1.5), -MaxSkewness, MaxSkewness);
        if (skewness == 0 || !double.IsFinite(skewness)) return new SkewNormal(mean, Math.Sqrt(variance), 0);
        // The shape's delta from the skewness (the method of moments' inversion).
        double r = Math.Cbrt(2 * Math.Abs(skewness) / (4 - Math.PI));
        double delta = Math.Sign(skewness) * Math.Sqrt(Math.PI / 2) * r / Math.Sqrt(1 + r * r);
        double scale = Math.Sqrt(variance / (1 - 2 * delta * delta / Math.PI));
        return new SkewNormal(mean - scale * delta * Math.Sqrt(2 / Math.PI), scale, delta / Math.Sqrt(1 - delta * delta));
    }

    public double Cdf(double x)
    {
        double z = (x - Location) / Scale;
        return Shape == 0 ? SpecialFunctions.NormalCdf(z) : SpecialFunctions.NormalCdf(z) - 2 * OwensT(z, Shape);
    }

    public double Density(double x)
    {
        double z = (x - Location) / Scale;
        return 2 / Scale * SpecialFunctions.NormalDensity(z) * SpecialFunctions.NormalCdf(Shape * z);
    }

    /// <summary>The quantile at <paramref name="u"/> in (0, 1): Newton's method on the CDF from the normal's quantile,
    /// kept inside a bracket that bisection narrows whenever a Newton step would leave it.</summary>
    public double Quantile(double u)
    {
        double mean = Location + Scale * Shape / Math.Sqrt(1 + Shape * Shape) * Math.Sqrt(2 / Math.PI);
        double sd = Scale * Math.Sqrt(1 - 2 * Shape * Shape / ((1 + Shape * Shape) * Math.PI));
        double x = mean + sd * NormalQuantile.Of(u), low = mean - 40 * sd, high = mean + 40 * sd;
        for (int i = 0; i < 100; i++)
        {
            double f = Cdf(x) - u;
            if (f < 0) low = x;
            else high = x;
            double next = x - f / Density(x);
            if (!(next > low && next < high)) next = 0.5 * (low + high);
            if (Math.Abs(next - x) <= 1e-13 * Math.Max(1.0, Math.Abs(x))) return next;
            x = next;
        }
        return x;
    }

    /// <summary>Owen's T(h, a) = (1 / 2 pi) int_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx, by 4 panels of 10-point
    /// Gauss-Legendre: the shapes here stay below about 2 (skewness 0.5), where that is exact to about 1e-12.</summary>
    private static double OwensT(double h, double a)
    {
        const int panels = 4;
        double width = a / panels, sum = 0;
        for (int panel = 0; panel < panels; panel++)
        {
            double centre = (panel + 0.5) * width;
            for (int k = 0; k < Nodes.Length; k++)
            {
                double x = centre + 0.5 * width * Nodes[k];
                double u = 1 + x * x;
                sum += Weights[k] * Math.Exp(-0.5 * h * h * u) / u;
            }
        }
        return sum * 0.5 * width / (2 * Math.PI);
    }

    private static readonly double[] Nodes =
    [
        -0.9739065285171717, -0.8650633666889845, -0.6794095682990244, -0.4333953941292472, -0.1488743389816312,
        0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717,
    ];

    private static readonly double[] Weights =
    [
        0.0666713443086881, 0.1494513491505806, 0.2190863625159820, 0.2692667193099963, 0.2955242247147529,
        0.2955242247147529, 0.2692667193099963, 0.2190863625159820, 0.1494513491505806, 0.0666713443086881,
    ];
}

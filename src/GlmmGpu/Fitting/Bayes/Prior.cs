using System.Globalization;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>The prior distributions <c>--prior</c> accepts.</summary>
public enum PriorKind { Normal, StudentT, Cauchy, HalfNormal, HalfStudentT, HalfCauchy, Exponential, Gamma, Lkj }

/// <summary>
/// One prior distribution and its parameters: normal(mu, sigma), student_t(nu, mu, sigma), cauchy(mu, sigma) for
/// coefficients; half_normal(sigma), half_t(nu, sigma), half_cauchy(sigma), exponential(rate), gamma(shape, rate) for
/// SDs and the dispersion (positive values); lkj(eta) for a correlation matrix. Log densities drop the constants that
/// do not depend on the value, which sampling does not need.
/// </summary>
public sealed record Prior(PriorKind Kind, double[] Parameters)
{
    public static Prior Normal(double mu, double sigma) => new(PriorKind.Normal, [mu, sigma]);
    public static Prior Exponential(double rate) => new(PriorKind.Exponential, [rate]);
    public static Prior Lkj(double eta) => new(PriorKind.Lkj, [eta]);

    /// <summary>Whether the distribution is on the positive half-line (SDs, dispersion).</summary>
    public bool IsPositive => Kind is PriorKind.HalfNormal or PriorKind.HalfStudentT or PriorKind.HalfCauchy or PriorKind.Exponential or PriorKind.Gamma;

    /// <summary>Whether the distribution is on the whole line (coefficients).</summary>
    public bool IsReal => Kind is PriorKind.Normal or PriorKind.StudentT or PriorKind.Cauchy;

    /// <summary>log p(x) up to a constant, and d log p / dx in <paramref name="derivative"/>. For positive
    /// distributions x must be positive; for lkj use <see cref="LkjEta"/>.</summary>
    public double LogDensity(double x, out double derivative)
    {
        var a = Parameters;
        switch (Kind)
        {
            case PriorKind.Normal:
                return NormalKernel(x - a[0], a[1], out derivative);
            case PriorKind.HalfNormal:
                return NormalKernel(x, a[0], out derivative);
            case PriorKind.StudentT:
                return StudentKernel(x - a[1], a[0], a[2], out derivative);
            case PriorKind.HalfStudentT:
                return StudentKernel(x, a[0], a[1], out derivative);
            case PriorKind.Cauchy:
                return StudentKernel(x - a[0], 1, a[1], out derivative);
            case PriorKind.HalfCauchy:
                return StudentKernel(x, 1, a[0], out derivative);
            case PriorKind.Exponential:
                derivative = -a[0];
                return -a[0] * x;
            case PriorKind.Gamma:
                derivative = (a[0] - 1) / x - a[1];
                return (a[0] - 1) * Math.Log(x) - a[1] * x;
            default:
                throw new InvalidOperationException($"{this} is not a distribution of one value");
        }
    }

    /// <summary>The LKJ shape eta.</summary>
    public double LkjEta => Kind == PriorKind.Lkj ? Parameters[0] : throw new InvalidOperationException($"{this} is not lkj");

    private static double NormalKernel(double d, double sigma, out double derivative)
    {
        derivative = -d / (sigma * sigma);
        return -0.5 * d * d / (sigma * sigma);
    }

    private static double StudentKernel(double d, double nu, double sigma, out double derivative)
    {
        double r = d / sigma, s = 1 + r * r / nu;
        derivative = -(nu + 1) * r / (nu * s * sigma);
        return -0.5 * (nu + 1) * Math.Log(s);
    }

    /// <summary>The distribution as <c>--prior</c> writes it, e.g. <c>normal(0, 10)</c>.</summary>
    public override string ToString() =>
        $"{PriorParser.Name(Kind)}({string.Join(", ", Parameters.Select(p => p.ToString("G6", CultureInfo.InvariantCulture)))})";
}

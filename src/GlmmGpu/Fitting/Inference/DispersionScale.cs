using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Fitting.Inference;

/// <summary>The dispersion as a fit reports it (<see cref="ResultBuilder.DispersionOf"/>) from the optimizer's log phi:
/// sigma = phi for the Gaussian, 1/sqrt(phi) for the Gamma (phi is its shape), phi itself otherwise.</summary>
internal static class DispersionScale
{
    public static double Reported(FamilyKind family, double logPhi) => family == FamilyKind.Gamma ? Math.Exp(-0.5 * logPhi) : Math.Exp(logPhi);

    /// <summary>An interval in log phi as an interval of the reported value (the Gamma's sigma falls as phi rises).</summary>
    public static Interval Reported(FamilyKind family, Interval logPhi)
    {
        double a = Reported(family, logPhi.Lower), b = Reported(family, logPhi.Upper);
        return family == FamilyKind.Gamma ? new Interval(b, a) : new Interval(a, b);
    }
}

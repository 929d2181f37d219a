using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Kernels.Clusters;

/// <summary>The covariance factor and dispersion shared by every cluster in one evaluation.</summary>
public struct IntegrandParameters
{
    /// <summary>Relative covariance factor: b = Lambda u with u ~ N(0, I) (lme4's Lambda).</summary>
    public Mat3 Lambda;
    /// <summary>Dispersion on the family's natural scale (sigma, shape, size or phi); unused without one.</summary>
    public double Phi;
    // The flags are bytes behind bool properties: ILGPU passes only blittable structs to kernels, and bool is not.
    private byte hasDispersion, computeGradient;

    public bool HasDispersion
    {
        readonly get => hasDispersion != 0;
        set => hasDispersion = value ? (byte)1 : (byte)0;
    }

    public bool ComputeGradient
    {
        readonly get => computeGradient != 0;
        set => computeGradient = value ? (byte)1 : (byte)0;
    }
}

/// <summary>Outcome codes of one cluster's integral.</summary>
public static class ClusterStatus
{
    public const int Ok = 0;
    /// <summary>The log-density was not finite at every start tried (e.g. a mean outside the family's support).</summary>
    public const int NotFinite = 1;
    /// <summary>The mode's Hessian was not positive definite (non-canonical link, far from a good fit).</summary>
    public const int NotPositiveDefinite = 2;
    /// <summary>Newton's method reached its iteration limit.</summary>
    public const int NoConvergence = 3;
}

/// <summary>What one cluster's integral returns.</summary>
public struct ClusterOutput
{
    /// <summary>log of the cluster's marginal likelihood (Laplace or AGQ), without y-only constants.</summary>
    public double LogLik;
    /// <summary>Conditional mode of the spherical random effects u (b = Lambda u).</summary>
    public Vec3 Mode;
    /// <summary>Inverse of the negative Hessian of the integrand at the mode (u scale).</summary>
    public Mat3 ModeCovariance;
    /// <summary>d LogLik / d Lambda (lower triangle used).</summary>
    public Mat3 LambdaGradient;
    /// <summary>d LogLik / d log(phi).</summary>
    public double DispersionGradient;
    public int NewtonIterations;
    public int Status;
}

using GlmmGpu.Kernels.Numerics;
namespace GlmmGpu.Kernels.Families;

/// <summary>Log-density of one row and its first three derivatives in the linear predictor eta.</summary>
public struct RowDerivatives
{
    public double L, L1, L2, L3;
}

/// <summary>
/// The per-row model the cluster integrand calls: a family and a link composed, written once and used by the
/// CPU SIMD path and the ILGPU kernels alike (a generic struct parameter, so there are no virtual calls).
/// </summary>
public interface IRowLikelihood
{
    /// <summary>Log-density (without y-only constants) and its derivatives in eta.</summary>
    void Evaluate(double y, double w, double eta, double phi, out RowDerivatives d);
    /// <summary>The eta-derivatives only; <c>d.L</c> is left undefined where skipping it saves work (Newton steps
    /// inside the quadratic-convergence region need no value).</summary>
    void Derivatives(double y, double w, double eta, double phi, out RowDerivatives d);
    /// <summary>True where the row's work is mostly e^eta (the canonical logit and log links): the integrand then
    /// forms e^eta of a random intercept's rows as e^(fixed eta) e^b, one exp per cluster pass rather than per row,
    /// and calls <see cref="FromExpEta"/>.</summary>
    bool TakesExpEta { get; }
    /// <summary>As <see cref="Evaluate"/> (<paramref name="withValue"/>) or <see cref="Derivatives"/>, given
    /// <paramref name="expEta"/> = e^eta (finite and nonzero); the same formulas, so the same result to rounding.
    /// The value is <c>d.L + log(logArgument)</c>: a model may leave a log to the caller, who takes one log of the
    /// product of many rows' arguments, each in [1/2, 1] (1 where it leaves none).</summary>
    void FromExpEta(double y, double w, double eta, double expEta, double phi, bool withValue, out RowDerivatives d, out double logArgument);
    /// <summary>Derivatives in log(phi) of the log-density and of its first two eta-derivatives.</summary>
    void DispersionDerivatives(double y, double w, double eta, double phi, out double dl, out double dl1, out double dl2);
    /// <summary>The y-only part of the log-density, summed once per fit.</summary>
    double Constant(double y, double w);
    double Mean(double eta);
    /// <summary>IRLS/PQL working response eta + (y - mu) deta/dmu and working weight (dmu/deta)^2 / V(mu).</summary>
    void Working(double y, double w, double eta, double phi, out double response, out double weight);
    /// <summary>A linear predictor to start IRLS from.</summary>
    double StartingEta(double y, double w);
    /// <summary>(y - mu) / sqrt(Var(y)), with the response on the mean's scale.</summary>
    double PearsonResidual(double y, double w, double eta, double phi);
}

/// <summary>
/// Any density with any link, by the chain rule on the mean:
/// l_eta = l_mu mu', l_eta2 = l_mu2 mu'^2 + l_mu mu'', l_eta3 = l_mu3 mu'^3 + 3 l_mu2 mu' mu'' + l_mu mu'''.
/// </summary>
public readonly struct FamilyLink<TDensity, TLink> : IRowLikelihood
    where TDensity : struct, IDensity
    where TLink : struct, ILink
{
    public void Evaluate(double y, double w, double eta, double phi, out RowDerivatives d)
    {
        default(TLink).Inverse(eta, out double mu, out double m1, out double m2, out double m3);
        default(TDensity).Evaluate(y, w, mu, phi, out double l, out double l1, out double l2, out double l3);
        d.L = l;
        d.L1 = l1 * m1;
        d.L2 = l2 * m1 * m1 + l1 * m2;
        d.L3 = l3 * m1 * m1 * m1 + 3.0 * l2 * m1 * m2 + l1 * m3;
    }

    public void Derivatives(double y, double w, double eta, double phi, out RowDerivatives d) => Evaluate(y, w, eta, phi, out d);

    public bool TakesExpEta => false;
    public void FromExpEta(double y, double w, double eta, double expEta, double phi, bool withValue, out RowDerivatives d, out double logArgument)
    {
        Evaluate(y, w, eta, phi, out d);
        logArgument = 1.0;
    }

    public void DispersionDerivatives(double y, double w, double eta, double phi, out double dl, out double dl1, out double dl2)
    {
        default(TLink).Inverse(eta, out double mu, out double m1, out double m2, out _);
        default(TDensity).DispersionDerivatives(y, w, mu, phi, out dl, out double p1, out double p2);
        dl1 = p1 * m1;
        dl2 = p2 * m1 * m1 + p1 * m2;
    }

    public double Constant(double y, double w) => default(TDensity).Constant(y, w);

    public double Mean(double eta)
    {
        default(TLink).Inverse(eta, out double mu, out _, out _, out _);
        return mu;
    }

    public void Working(double y, double w, double eta, double phi, out double response, out double weight)
    {
        default(TLink).Inverse(eta, out double mu, out double m1, out _, out _);
        default(TDensity).ResponseScale(y, w, out double yr, out double pw);
        response = eta + (yr - mu) / m1;
        weight = pw * m1 * m1 / default(TDensity).Variance(mu, phi);
    }

    public double StartingEta(double y, double w) => default(TLink).Link(default(TDensity).StartingMean(y, w));

    public double PearsonResidual(double y, double w, double eta, double phi)
    {
        default(TLink).Inverse(eta, out double mu, out _, out _, out _);
        default(TDensity).ResponseScale(y, w, out double yr, out double pw);
        return (yr - mu) * Math.Sqrt(pw / default(TDensity).Variance(mu, phi));
    }
}

/// <summary>
/// Binomial with the canonical logit link, in eta directly: l = y eta - n log(1 + e^eta). The chain rule through
/// mu would divide by mu (1 - mu), which underflows at the extreme quadrature nodes of a large random-effect SD.
/// </summary>
public readonly struct BinomialLogit : IRowLikelihood
{
    public void Evaluate(double y, double w, double eta, double phi, out RowDerivatives d) =>
        Compute(y, w, eta, LogitLink.ExpClamped(eta), true, false, out d, out _);

    /// <summary>As <see cref="Evaluate"/> without the log, the costlier half of the row's work.</summary>
    public void Derivatives(double y, double w, double eta, double phi, out RowDerivatives d) =>
        Compute(y, w, eta, LogitLink.ExpClamped(eta), false, false, out d, out _);

    public bool TakesExpEta => true;

    /// <summary>A Bernoulli row (w = 1) leaves its log to the caller.</summary>
    public void FromExpEta(double y, double w, double eta, double expEta, double phi, bool withValue, out RowDerivatives d, out double logArgument) =>
        Compute(y, w, eta, expEta, withValue, withValue && w == 1.0, out d, out logArgument);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Compute(double y, double w, double eta, double e, bool withValue, bool deferLog, out RowDerivatives d, out double logArgument)
    {
        // The hot loop of logistic fits, from e = e^eta (one exp per row, or none where the caller has e^eta), with
        // no branch on eta's sign (LogitLink.FromExpEta), and log(1+e^eta) = max(eta,0) - log(max(mu, 1-mu)),
        // whose log's argument lies in [1/2, 1].
        LogitLink.FromExpEta(e, out double mu, out double complement, out double v);
        double larger = Math.Max(mu, complement);
        // l = y eta - w (max(eta, 0) - log(larger)), less the log where it is deferred (w = 1).
        logArgument = deferLog ? larger : 1.0;
        d.L = withValue ? y * eta - w * (0.5 * (eta + Math.Abs(eta))) + (deferLog ? 0.0 : w * PortableMath.Log(larger)) : 0.0;
        d.L1 = y - w * mu;
        d.L2 = -w * v;
        d.L3 = -w * v * (complement - mu);
    }

    public void DispersionDerivatives(double y, double w, double eta, double phi, out double dl, out double dl1, out double dl2)
    {
        dl = 0; dl1 = 0; dl2 = 0;
    }

    public double Constant(double y, double w) => default(BinomialDensity).Constant(y, w);
    public double Mean(double eta) => default(FamilyLink<BinomialDensity, LogitLink>).Mean(eta);
    public void Working(double y, double w, double eta, double phi, out double response, out double weight) =>
        default(FamilyLink<BinomialDensity, LogitLink>).Working(y, w, eta, phi, out response, out weight);
    public double StartingEta(double y, double w) => default(FamilyLink<BinomialDensity, LogitLink>).StartingEta(y, w);
    public double PearsonResidual(double y, double w, double eta, double phi) =>
        default(FamilyLink<BinomialDensity, LogitLink>).PearsonResidual(y, w, eta, phi);
}

/// <summary>Poisson with the canonical log link, in eta directly: l = w (y eta - e^eta).</summary>
public readonly struct PoissonLog : IRowLikelihood
{
    public void Evaluate(double y, double w, double eta, double phi, out RowDerivatives d) => Compute(y, w, eta, PortableMath.Exp(eta), out d);

    public bool TakesExpEta => true;

    public void FromExpEta(double y, double w, double eta, double expEta, double phi, bool withValue, out RowDerivatives d, out double logArgument)
    {
        Compute(y, w, eta, expEta, out d);
        logArgument = 1.0;
    }

    private static void Compute(double y, double w, double eta, double mu, out RowDerivatives d)
    {
        d.L = w * (y * eta - mu);
        d.L1 = w * (y - mu);
        d.L2 = -w * mu;
        d.L3 = -w * mu;
    }

    public void Derivatives(double y, double w, double eta, double phi, out RowDerivatives d) => Evaluate(y, w, eta, phi, out d);

    public void DispersionDerivatives(double y, double w, double eta, double phi, out double dl, out double dl1, out double dl2)
    {
        dl = 0; dl1 = 0; dl2 = 0;
    }

    public double Constant(double y, double w) => default(PoissonDensity).Constant(y, w);
    public double Mean(double eta) => PortableMath.Exp(eta);
    public void Working(double y, double w, double eta, double phi, out double response, out double weight) =>
        default(FamilyLink<PoissonDensity, LogLink>).Working(y, w, eta, phi, out response, out weight);
    public double StartingEta(double y, double w) => default(FamilyLink<PoissonDensity, LogLink>).StartingEta(y, w);
    public double PearsonResidual(double y, double w, double eta, double phi) =>
        default(FamilyLink<PoissonDensity, LogLink>).PearsonResidual(y, w, eta, phi);
}

using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Kernels.Families;

/// <summary>
/// A response density as a function of its mean. <c>Evaluate</c> gives the log-density without the terms
/// that depend on y alone (those are summed once through <c>Constant</c>, so the full log-likelihood is
/// exact while the hot loop skips them) and its derivatives in mu; <c>DispersionDerivatives</c> gives the
/// derivatives of l, l_mu and l_mumu in log(phi). <c>w</c> is the binomial number of trials, else the prior weight.
/// </summary>
public interface IDensity
{
    void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3);
    void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2);
    double Constant(double y, double w);
    /// <summary>Var(y) per unit prior weight at mean mu, dispersion included (IRLS, PQL and Pearson residuals).</summary>
    double Variance(double mu, double phi);
    /// <summary>A mean inside the support to start IRLS from (on the response's mean scale).</summary>
    double StartingMean(double y, double w);
    /// <summary>The response on the mean's scale (binomial: the proportion) and the IRLS prior weight.</summary>
    void ResponseScale(double y, double w, out double response, out double priorWeight);
}

/// <summary>Binomial: y successes out of w trials, mean mu = success probability.</summary>
public readonly struct BinomialDensity : IDensity
{
    public void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3)
    {
        double f = w - y, nu = 1.0 - mu;
        l = (y > 0 ? y * PortableMath.Log(mu) : 0.0) + (f > 0 ? f * PortableMath.Log(nu) : 0.0);
        // Each side only where it has weight: at an extreme node mu can round to 0 or 1, and 0/0 would poison sums.
        double sy = y > 0 ? y / mu : 0.0, sf = f > 0 ? f / nu : 0.0;
        l1 = sy - sf;
        l2 = -(y > 0 ? sy / mu : 0.0) - (f > 0 ? sf / nu : 0.0);
        l3 = 2.0 * (y > 0 ? sy / (mu * mu) : 0.0) - 2.0 * (f > 0 ? sf / (nu * nu) : 0.0);
    }

    public void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2)
    {
        dl = 0; dl1 = 0; dl2 = 0;
    }

    // log C(w, y); zero for a single trial (y is then 0 or 1), which spares 0/1 data three log-gammas a row.
    public double Constant(double y, double w) => w == 1.0 ? 0.0 :
        SpecialFunctions.LogGamma(w + 1.0) - SpecialFunctions.LogGamma(y + 1.0) - SpecialFunctions.LogGamma(w - y + 1.0);

    public double Variance(double mu, double phi) => mu * (1.0 - mu);
    public double StartingMean(double y, double w) => (y + 0.5) / (w + 1.0);

    public void ResponseScale(double y, double w, out double response, out double priorWeight)
    {
        response = w > 0 ? y / w : 0.0;
        priorWeight = w;
    }
}

/// <summary>Poisson; prior weights multiply the log-density.</summary>
public readonly struct PoissonDensity : IDensity
{
    public void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3)
    {
        l = w * ((y > 0 ? y * PortableMath.Log(mu) : 0.0) - mu);
        double sy = y > 0 ? y / mu : 0.0;
        l1 = w * (sy - 1.0);
        l2 = y > 0 ? -w * sy / mu : 0.0;
        l3 = y > 0 ? 2.0 * w * sy / (mu * mu) : 0.0;
    }

    public void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2)
    {
        dl = 0; dl1 = 0; dl2 = 0;
    }

    public double Constant(double y, double w) => -w * SpecialFunctions.LogGamma(y + 1.0);
    public double Variance(double mu, double phi) => mu;
    public double StartingMean(double y, double w) => y + 0.1;
    public void ResponseScale(double y, double w, out double response, out double priorWeight) { response = y; priorWeight = w; }
}

/// <summary>Gaussian with SD phi = sigma; prior weights are precisions (R's convention).</summary>
public readonly struct GaussianDensity : IDensity
{
    public void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3)
    {
        double r = y - mu, inv = 1.0 / (phi * phi);
        l = -PortableMath.Log(phi) - 0.5 * w * r * r * inv;
        l1 = w * r * inv;
        l2 = -w * inv;
        l3 = 0.0;
    }

    public void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2)
    {
        double r = y - mu, inv = 1.0 / (phi * phi);
        dl = -1.0 + w * r * r * inv;
        dl1 = -2.0 * w * r * inv;
        dl2 = 2.0 * w * inv;
    }

    public double Constant(double y, double w) => -0.91893853320467274178 + (w > 0 ? 0.5 * PortableMath.Log(w) : 0.0);
    public double Variance(double mu, double phi) => phi * phi;
    public double StartingMean(double y, double w) => y;
    public void ResponseScale(double y, double w, out double response, out double priorWeight) { response = y; priorWeight = w; }
}

/// <summary>Gamma with shape phi = nu (glmmTMB reports sigma = 1/sqrt(nu)); prior weights multiply the log-density.</summary>
public readonly struct GammaDensity : IDensity
{
    public void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3)
    {
        double ratio = y / mu;
        l = w * (phi * PortableMath.Log(phi * ratio) - phi * ratio - SpecialFunctions.LogGamma(phi));
        double mu2 = mu * mu;
        l1 = w * phi * (y - mu) / mu2;
        l2 = w * phi * (mu - 2.0 * y) / (mu2 * mu);
        l3 = w * phi * (6.0 * y - 2.0 * mu) / (mu2 * mu2);
    }

    public void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2)
    {
        double ratio = y / mu, mu2 = mu * mu;
        dl = w * phi * (PortableMath.Log(phi * ratio) + 1.0 - ratio - SpecialFunctions.Digamma(phi));
        dl1 = w * phi * (y - mu) / mu2;
        dl2 = w * phi * (mu - 2.0 * y) / (mu2 * mu);
    }

    public double Constant(double y, double w) => -w * PortableMath.Log(y);
    public double Variance(double mu, double phi) => mu * mu / phi;
    public double StartingMean(double y, double w) => y;
    public void ResponseScale(double y, double w, out double response, out double priorWeight) { response = y; priorWeight = w; }
}

/// <summary>Negative binomial NB2 with size phi = k: Var = mu + mu^2 / k.</summary>
public readonly struct NegativeBinomialDensity : IDensity
{
    public void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3)
    {
        double k = phi, km = k + mu;
        l = w * (SpecialFunctions.LogGamma(y + k) - SpecialFunctions.LogGamma(k) + k * PortableMath.Log(k / km)
                 + (y > 0 ? y * PortableMath.Log(mu / km) : 0.0));
        l1 = w * (y / mu - (y + k) / km);
        l2 = w * (-y / (mu * mu) + (y + k) / (km * km));
        l3 = w * (2.0 * y / (mu * mu * mu) - 2.0 * (y + k) / (km * km * km));
    }

    public void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2)
    {
        double k = phi, km = k + mu;
        dl = w * k * (SpecialFunctions.Digamma(y + k) - SpecialFunctions.Digamma(k) + PortableMath.Log(k / km) + (mu - y) / km);
        dl1 = w * k * (y - mu) / (km * km);
        dl2 = w * k * (mu - 2.0 * y - k) / (km * km * km);
    }

    public double Constant(double y, double w) => -w * SpecialFunctions.LogGamma(y + 1.0);
    public double Variance(double mu, double phi) => mu + mu * mu / phi;
    public double StartingMean(double y, double w) => y + 0.1;
    public void ResponseScale(double y, double w, out double response, out double priorWeight) { response = y; priorWeight = w; }
}

/// <summary>Inverse Gaussian with dispersion phi: Var = phi mu^3.</summary>
public readonly struct InverseGaussianDensity : IDensity
{
    public void Evaluate(double y, double w, double mu, double phi, out double l, out double l1, out double l2, out double l3)
    {
        double r = y - mu, mu2 = mu * mu;
        l = w * (-0.5 * PortableMath.Log(phi) - r * r / (2.0 * phi * mu2 * y));
        l1 = w * r / (phi * mu2 * mu);
        l2 = w * (2.0 * mu - 3.0 * y) / (phi * mu2 * mu2);
        l3 = w * (12.0 * y - 6.0 * mu) / (phi * mu2 * mu2 * mu);
    }

    public void DispersionDerivatives(double y, double w, double mu, double phi, out double dl, out double dl1, out double dl2)
    {
        double r = y - mu, mu2 = mu * mu;
        dl = w * (-0.5 + r * r / (2.0 * phi * mu2 * y));
        dl1 = -w * r / (phi * mu2 * mu);
        dl2 = -w * (2.0 * mu - 3.0 * y) / (phi * mu2 * mu2);
    }

    public double Constant(double y, double w) => -0.5 * w * PortableMath.Log(6.283185307179586 * y * y * y);
    public double Variance(double mu, double phi) => phi * mu * mu * mu;
    public double StartingMean(double y, double w) => y;
    public void ResponseScale(double y, double w, out double response, out double priorWeight) { response = y; priorWeight = w; }
}

namespace GlmmGpu.Simulation;

/// <summary>Draws from the response distributions, for simulated data sets and tests.</summary>
public static class RandomDraws
{
    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static int Poisson(double mu, Random rng)
    {
        if (mu > 30)
        {
            // Normal approximation with continuity correction is plenty for simulated benchmark data at large means.
            return Math.Max(0, (int)Math.Round(mu + Math.Sqrt(mu) * Normal(rng)));
        }
        double l = Math.Exp(-mu), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    /// <summary>Gamma(shape, scale 1) by Marsaglia and Tsang; shape below 1 by the boost u^(1/shape).</summary>
    public static double Gamma(double shape, Random rng)
    {
        if (shape < 1) return Gamma(shape + 1, rng) * Math.Pow(1 - rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = Normal(rng), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = 1 - rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>Negative binomial NB2 with mean mu and size k, as a Gamma–Poisson mixture.</summary>
    public static int NegativeBinomial(double mu, double size, Random rng) => Poisson(mu * Gamma(size, rng) / size, rng);

    /// <summary>Inverse Gaussian with mean mu and dispersion phi (Var = phi mu^3), by Michael, Schucany and Haas.</summary>
    public static double InverseGaussian(double mu, double phi, Random rng)
    {
        double lambda = 1 / phi, n = Normal(rng), y = n * n;
        double x = mu + mu * mu * y / (2 * lambda) - mu / (2 * lambda) * Math.Sqrt(4 * mu * lambda * y + mu * mu * y * y);
        return rng.NextDouble() <= mu / (mu + x) ? x : mu * mu / x;
    }

    public static int Binomial(int trials, double p, Random rng)
    {
        int s = 0;
        for (int t = 0; t < trials; t++) if (rng.NextDouble() < p) s++;
        return s;
    }
}

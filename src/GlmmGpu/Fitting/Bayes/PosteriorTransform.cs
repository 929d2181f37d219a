using GlmmGpu.Engines;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// The sampler's unconstrained parameters z = (beta, log SD of each random effect, the correlations' Cholesky factor
/// unconstrained as Stan's <c>cholesky_factor_corr</c>, log phi) and their map to the engine's psi = (beta, theta,
/// log phi): Lambda = diag(sd) L, with L the correlations' Cholesky factor, so Lambda Lambda' is the random effects'
/// covariance (in response units for the Gaussian family, as the engine's theta is). The priors are on beta, the
/// SDs, the correlation matrix (LKJ) and the dispersion as results report it (phi^a: sigma = phi for the Gaussian,
/// 1/sqrt(phi) for the Gamma, the size phi for the negative binomial); the log-Jacobians of the maps are added, so the
/// density in z is the posterior's.
/// </summary>
internal sealed class PosteriorTransform : IPosteriorMap
{
    private readonly ParameterLayout layout;
    private readonly PriorSet priors;
    private readonly double dispersionPower;

    public int P => layout.P;
    public int Q => layout.Q;
    public int CorrelationCount { get; }
    public bool HasDispersion => layout.HasDispersion;
    /// <summary>The length of z.</summary>
    public int Dimension => P + Q + CorrelationCount + (HasDispersion ? 1 : 0);
    public int SdOffset => P;
    public int CorrelationOffset => P + Q;
    public int DispersionIndex => P + Q + CorrelationCount;

    /// <param name="dispersionPower">a in (reported dispersion) = phi^a.</param>
    public PosteriorTransform(ParameterLayout layout, PriorSet priors, double dispersionPower)
    {
        if (layout.Correlated && layout.Q > 3) throw new ArgumentException("at most three correlated effects");
        this.layout = layout;
        this.priors = priors;
        this.dispersionPower = dispersionPower;
        CorrelationCount = layout.Correlated ? layout.Q * (layout.Q - 1) / 2 : 0;
    }

    /// <summary>psi at z.</summary>
    public void ToPsi(ReadOnlySpan<double> z, Span<double> psi)
    {
        z[..P].CopyTo(psi);
        var factor = CorrelationFactor(z, out _);
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            var (r, c) = layout.ThetaPosition(k);
            psi[P + k] = Math.Exp(z[SdOffset + r]) * factor[r, c].Value;
        }
        if (HasDispersion) psi[layout.DispersionIndex] = z[DispersionIndex];
    }

    /// <summary>Adds J' g to <paramref name="gradZ"/>, where g is a gradient in psi and J = d psi / d z.</summary>
    public void AddPullBack(ReadOnlySpan<double> z, ReadOnlySpan<double> gradPsi, Span<double> gradZ)
    {
        for (int i = 0; i < P; i++) gradZ[i] += gradPsi[i];
        var factor = CorrelationFactor(z, out _);
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            var (r, c) = layout.ThetaPosition(k);
            double sd = Math.Exp(z[SdOffset + r]), g = gradPsi[P + k];
            var l = factor[r, c];
            gradZ[SdOffset + r] += g * sd * l.Value;
            for (int m = 0; m < CorrelationCount; m++) gradZ[CorrelationOffset + m] += g * sd * l.Derivative(m);
        }
        if (HasDispersion) gradZ[DispersionIndex] += gradPsi[layout.DispersionIndex];
    }

    /// <summary>log prior + log Jacobian at z (up to a constant); its gradient is written to <paramref name="gradZ"/>.</summary>
    public double LogPrior(ReadOnlySpan<double> z, Span<double> gradZ)
    {
        gradZ.Clear();
        double lp = 0;
        for (int i = 0; i < P; i++)
        {
            lp += priors.Coefficients[i].LogDensity(z[i], out double d);
            gradZ[i] = d;
        }
        for (int j = 0; j < Q; j++)
        {
            double u = z[SdOffset + j], sd = Math.Exp(u);
            lp += priors.Sds[j].LogDensity(sd, out double d) + u;
            gradZ[SdOffset + j] = d * sd + 1;
        }
        if (CorrelationCount > 0)
        {
            var factor = CorrelationFactor(z, out var jacobian);
            var total = jacobian + LkjLogDensity(factor, priors.Correlation!.LkjEta);
            lp += total.Value;
            for (int m = 0; m < CorrelationCount; m++) gradZ[CorrelationOffset + m] = total.Derivative(m);
        }
        if (HasDispersion)
        {
            double u = z[DispersionIndex], value = Math.Exp(dispersionPower * u);
            lp += priors.Dispersion!.LogDensity(value, out double d) + dispersionPower * u;
            gradZ[DispersionIndex] = d * dispersionPower * value + dispersionPower;
        }
        return lp;
    }

    /// <summary>
    /// The Cholesky factor L of the correlation matrix (the identity without correlations) as functions of z's
    /// correlation part, with the log-Jacobian of the map (Stan's <c>cholesky_corr_constrain</c>: tanh, then each row
    /// scaled onto the unit sphere).
    /// </summary>
    private Dual3[,] CorrelationFactor(ReadOnlySpan<double> z, out Dual3 logJacobian)
    {
        var l = new Dual3[Q, Q];
        logJacobian = Dual3.Constant(0);
        for (int i = 0; i < Q; i++) l[i, i] = Dual3.Constant(1);
        if (CorrelationCount == 0) return l;
        var one = Dual3.Constant(1);
        int k = 0;
        for (int i = 1; i < Q; i++)
        {
            var w = Dual3.Variable(z[CorrelationOffset + k], k).Tanh();
            logJacobian += (w * w).Log1m();
            k++;
            l[i, 0] = w;
            var sumSquares = w * w;
            for (int j = 1; j < i; j++)
            {
                var v = Dual3.Variable(z[CorrelationOffset + k], k).Tanh();
                logJacobian += (v * v).Log1m();
                k++;
                logJacobian += 0.5 * sumSquares.Log1m();
                l[i, j] = v * (one - sumSquares).Sqrt();
                sumSquares += l[i, j] * l[i, j];
            }
            l[i, i] = (one - sumSquares).Sqrt();
        }
        return l;
    }

    /// <summary>The LKJ(eta) log density of the correlation matrix L L', in L (Stan's <c>lkj_corr_cholesky_lpdf</c>,
    /// which includes the Jacobian from the correlation matrix to its factor).</summary>
    private Dual3 LkjLogDensity(Dual3[,] l, double eta)
    {
        var lp = Dual3.Constant(0);
        for (int i = 1; i < Q; i++) lp += (Q - i - 1 + 2 * eta - 2) * l[i, i].Log();
        return lp;
    }

    /// <summary>The reported quantities at z: beta, the SDs, the correlations (lower triangle by rows), the
    /// dispersion as results report it; <see cref="QuantityNames"/> names them.</summary>
    public void Constrained(ReadOnlySpan<double> z, Span<double> values)
    {
        z[..P].CopyTo(values);
        for (int j = 0; j < Q; j++) values[P + j] = Math.Exp(z[SdOffset + j]);
        if (CorrelationCount > 0)
        {
            var l = CorrelationFactor(z, out _);
            int k = P + Q;
            for (int i = 1; i < Q; i++)
                for (int j = 0; j < i; j++)
                {
                    double s = 0;
                    for (int m = 0; m <= j; m++) s += l[i, m].Value * l[j, m].Value;
                    values[k++] = s;
                }
        }
        if (HasDispersion) values[DispersionIndex] = Math.Exp(dispersionPower * z[DispersionIndex]);
    }

    /// <summary>z at the engine's psi, with each SD at least <paramref name="minimumSd"/> (a singular fit's zero SD
    /// has no logarithm) and each correlation's factor entries inside (-0.95, 0.95).</summary>
    public double[] FromPsi(ReadOnlySpan<double> psi, double minimumSd)
    {
        var z = new double[Dimension];
        psi[..P].CopyTo(z);
        var lambda = layout.Lambda(psi);
        var sd = new double[Q];
        for (int i = 0; i < Q; i++)
        {
            double v = 0;
            for (int m = 0; m <= i; m++) v += lambda[i, m] * lambda[i, m];
            sd[i] = Math.Sqrt(v);
            z[SdOffset + i] = Math.Log(Math.Max(sd[i], minimumSd));
        }
        if (CorrelationCount > 0)
        {
            int k = 0;
            for (int i = 1; i < Q; i++)
            {
                double sumSquares = 0;
                for (int j = 0; j < i; j++)
                {
                    // Row i of L is row i of Lambda over its SD; each entry is that share of what the row has left.
                    double lij = sd[i] > 0 ? lambda[i, j] / sd[i] : 0;
                    double w = Math.Clamp(lij / Math.Sqrt(Math.Max(1e-12, 1 - sumSquares)), -0.95, 0.95);
                    z[CorrelationOffset + k++] = Math.Atanh(w);
                    sumSquares += lij * lij;
                }
            }
        }
        if (HasDispersion) z[DispersionIndex] = psi[layout.DispersionIndex];
        return z;
    }
}

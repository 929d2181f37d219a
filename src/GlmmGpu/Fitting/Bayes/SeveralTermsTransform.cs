using GlmmGpu.Engines;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// <see cref="PosteriorTransform"/> for several random-effects terms: z = (beta, each term's log SDs and unconstrained
/// correlations in turn, log phi) to psi = (beta, each term's theta in turn, log phi). Each term is mapped, with its
/// SD priors, Jacobians and LKJ prior, by a <see cref="PosteriorTransform"/> of its own (no fixed effects, no
/// dispersion); the fixed effects' and the dispersion's priors are taken here as there.
/// </summary>
internal sealed class SeveralTermsTransform : IPosteriorMap
{
    private readonly int p;
    private readonly PriorSet priors;
    private readonly PosteriorTransform[] terms;
    private readonly int[] zOffset, psiOffset, thetaCount;
    private readonly bool hasDispersion;
    private readonly double dispersionPower;

    /// <param name="termLayouts">Each term's layout (no fixed effects, no dispersion), in psi's order.</param>
    /// <param name="dispersionPower">a in (reported dispersion) = phi^a.</param>
    public SeveralTermsTransform(int p, IReadOnlyList<ParameterLayout> termLayouts, PriorSet priors, IReadOnlyList<PriorSet> termPriors,
        bool hasDispersion, double dispersionPower)
    {
        this.p = p;
        this.priors = priors;
        this.hasDispersion = hasDispersion;
        this.dispersionPower = dispersionPower;
        terms = termLayouts.Select((layout, k) => new PosteriorTransform(layout, termPriors[k], 1.0)).ToArray();
        zOffset = new int[terms.Length];
        psiOffset = new int[terms.Length];
        thetaCount = termLayouts.Select(l => l.ThetaCount).ToArray();
        int z = p, psi = p;
        for (int k = 0; k < terms.Length; k++)
        {
            zOffset[k] = z;
            psiOffset[k] = psi;
            z += terms[k].Dimension;
            psi += thetaCount[k];
        }
        Dimension = z + (hasDispersion ? 1 : 0);
        PsiCount = psi + (hasDispersion ? 1 : 0);
    }

    public int Dimension { get; }
    public int PsiCount { get; }

    /// <summary>Term k's correlations, for the summaries' layout.</summary>
    public int CorrelationCount(int k) => terms[k].CorrelationCount;

    public void ToPsi(ReadOnlySpan<double> z, Span<double> psi)
    {
        z[..p].CopyTo(psi);
        for (int k = 0; k < terms.Length; k++)
            terms[k].ToPsi(z.Slice(zOffset[k], terms[k].Dimension), psi.Slice(psiOffset[k], thetaCount[k]));
        if (hasDispersion) psi[^1] = z[^1];
    }

    public void AddPullBack(ReadOnlySpan<double> z, ReadOnlySpan<double> gradPsi, Span<double> gradZ)
    {
        for (int i = 0; i < p; i++) gradZ[i] += gradPsi[i];
        for (int k = 0; k < terms.Length; k++)
            terms[k].AddPullBack(z.Slice(zOffset[k], terms[k].Dimension), gradPsi.Slice(psiOffset[k], thetaCount[k]), gradZ.Slice(zOffset[k], terms[k].Dimension));
        if (hasDispersion) gradZ[^1] += gradPsi[^1];
    }

    public double LogPrior(ReadOnlySpan<double> z, Span<double> gradZ)
    {
        gradZ.Clear();
        double lp = 0;
        for (int i = 0; i < p; i++)
        {
            lp += priors.Coefficients[i].LogDensity(z[i], out double d);
            gradZ[i] = d;
        }
        for (int k = 0; k < terms.Length; k++)
            lp += terms[k].LogPrior(z.Slice(zOffset[k], terms[k].Dimension), gradZ.Slice(zOffset[k], terms[k].Dimension));
        if (hasDispersion)
        {
            double u = z[^1], value = Math.Exp(dispersionPower * u);
            lp += priors.Dispersion!.LogDensity(value, out double d) + dispersionPower * u;
            gradZ[^1] = d * dispersionPower * value + dispersionPower;
        }
        return lp;
    }

    public void Constrained(ReadOnlySpan<double> z, Span<double> values)
    {
        z[..p].CopyTo(values);
        for (int k = 0; k < terms.Length; k++)
            terms[k].Constrained(z.Slice(zOffset[k], terms[k].Dimension), values.Slice(zOffset[k], terms[k].Dimension));
        if (hasDispersion) values[^1] = Math.Exp(dispersionPower * z[^1]);
    }

    /// <summary>z at psi, each SD at least <paramref name="minimumSd"/> (as <see cref="PosteriorTransform.FromPsi"/>).</summary>
    public double[] FromPsi(ReadOnlySpan<double> psi, double minimumSd)
    {
        var z = new double[Dimension];
        psi[..p].CopyTo(z);
        for (int k = 0; k < terms.Length; k++)
            terms[k].FromPsi(psi.Slice(psiOffset[k], thetaCount[k]), minimumSd).CopyTo(z, zOffset[k]);
        if (hasDispersion) z[^1] = psi[^1];
        return z;
    }
}

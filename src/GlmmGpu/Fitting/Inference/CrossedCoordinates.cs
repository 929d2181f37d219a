using GlmmGpu.Fitting.Crossed;
using GlmmGpu.Kernels.Numerics;

namespace GlmmGpu.Fitting.Inference;

/// <summary>
/// The map between psi = (beta, each term's Lambda_k entries on the response's scale in lme4's order of the terms,
/// log phi or log sigma) and the profile's u = (beta, each term's <see cref="CovarianceCoordinates"/> one after another,
/// log phi or log sigma), with the chain rule for psi's gradient: <see cref="GlmmCoordinates"/> for several grouping factors.
/// </summary>
internal sealed class CrossedCoordinates
{
    private readonly int p;
    private readonly CrossedTerms terms;
    private readonly bool hasDispersion;
    private readonly int[] offsets;

    public CrossedCoordinates(int p, CrossedTerms terms, bool hasDispersion)
    {
        this.p = p;
        this.terms = terms;
        this.hasDispersion = hasDispersion;
        Covariances = terms.Blocks.Select(b => new CovarianceCoordinates(b.Q, b.Correlated)).ToArray();
        offsets = new int[Covariances.Length];
        for (int k = 1; k < offsets.Length; k++) offsets[k] = offsets[k - 1] + Covariances[k - 1].Count;
        Count = p + Covariances.Sum(c => c.Count) + (hasDispersion ? 1 : 0);
        PsiCount = p + terms.ThetaCount + (hasDispersion ? 1 : 0);
    }

    public CovarianceCoordinates[] Covariances { get; }
    public int Count { get; }
    public int PsiCount { get; }

    public double[] FromPsi(ReadOnlySpan<double> psi)
    {
        var u = new double[Count];
        psi[..p].CopyTo(u);
        for (int k = 0; k < Covariances.Length; k++)
            Covariances[k].FromLambda(TermLambda(psi, k)).CopyTo(u, p + offsets[k]);
        if (hasDispersion) u[^1] = psi[^1];
        return u;
    }

    public void ToPsi(ReadOnlySpan<double> u, Span<double> psi)
    {
        u[..p].CopyTo(psi);
        for (int k = 0; k < Covariances.Length; k++)
        {
            var lambda = Covariances[k].Lambda(u.Slice(p + offsets[k], Covariances[k].Count));
            var layout = terms.Layouts[k];
            for (int t = 0; t < layout.ThetaCount; t++)
            {
                var (r, c) = layout.ThetaPosition(t);
                psi[p + terms.ThetaOffset[k] + t] = lambda[r, c];
            }
        }
        if (hasDispersion) psi[^1] = u[^1];
    }

    /// <summary>u's gradient from psi's gradient (of the same function).</summary>
    public void Gradient(ReadOnlySpan<double> u, ReadOnlySpan<double> psiGradient, Span<double> gradient)
    {
        psiGradient[..p].CopyTo(gradient);
        for (int k = 0; k < Covariances.Length; k++)
        {
            var layout = terms.Layouts[k];
            var lambdaGradient = default(Mat3);
            for (int t = 0; t < layout.ThetaCount; t++)
            {
                var (r, c) = layout.ThetaPosition(t);
                lambdaGradient[r, c] = psiGradient[p + terms.ThetaOffset[k] + t];
            }
            var count = Covariances[k].Count;
            Covariances[k].LambdaGradient(u.Slice(p + offsets[k], count), lambdaGradient, gradient.Slice(p + offsets[k], count));
        }
        if (hasDispersion) gradient[^1] = psiGradient[^1];
    }

    private Mat3 TermLambda(ReadOnlySpan<double> psi, int k) =>
        terms.Layouts[k].Lambda(psi.Slice(p + terms.ThetaOffset[k], terms.Layouts[k].ThetaCount));
}

namespace GlmmGpu.Kernels.Quadrature;

/// <summary>
/// The tensor-product Gauss–Hermite grid for q random effects and K nodes each (K^q points), as the adaptive
/// rule uses it: node vectors z and log(w_1 ... w_q) + |z|^2 (the weight with the Gaussian kernel divided
/// out, since the integrand is evaluated in full). Points are ordered by decreasing Gauss–Hermite weight
/// w_1 ... w_q: on the adapted grid the term at point k is about exp(h(u^)) w_k, so the running log-sum-exp
/// meets its largest term first and rarely rescales, and an odd K puts the mode (z = 0), whose pass the
/// Newton iteration has already made, first. (Ordered by the stored log-weight, which grows with |z|, the
/// sum rescaled at almost every point.)
/// K = 1 is the Laplace approximation.
/// </summary>
public sealed class QuadratureGrid
{
    /// <summary>The most points a grid has: each costs a pass over a cluster's rows in every evaluation.</summary>
    public const int MaxPoints = 100_000;

    public int Q { get; }
    public int NodesPerDimension { get; }
    public int Count { get; }
    /// <summary>Point k's coordinate d at <c>Z[k * Q + d]</c>.</summary>
    public double[] Z { get; }
    public double[] LogWeight { get; }

    public QuadratureGrid(int q, int k)
    {
        if (q < 1 || q > 3) throw new ArgumentOutOfRangeException(nameof(q), "quadrature grids are built for 1 to 3 random effects");
        long count = 1;
        for (int d = 0; d < q; d++) count *= k;
        if (count > MaxPoints) throw new ArgumentOutOfRangeException(nameof(k), $"{k}^{q} quadrature points are more than the {MaxPoints} a grid may have");
        // Log-weights, not logs of the weights: the outermost weights of a rule with hundreds of nodes are below
        // double's range, and their log-weight plus |z|^2 is an ordinary number.
        var (nodes, _, logWeights) = GaussHermite.Compute(k);
        Q = q;
        NodesPerDimension = k;
        Count = (int)count;
        var points = new (double[] Z, double LogW, double LogGaussWeight)[Count];
        for (int p = 0; p < Count; p++)
        {
            var z = new double[q];
            double lw = 0, lg = 0;
            int rest = p;
            for (int d = 0; d < q; d++)
            {
                int i = rest % k;
                rest /= k;
                z[d] = nodes[i];
                lw += logWeights[i] + nodes[i] * nodes[i];
                lg += logWeights[i];
            }
            points[p] = (z, lw, lg);
        }
        // Heaviest first, ties in product order. (An index sort rather than LINQ over tuples, whose generic code the
        // runtime would compile at every start.)
        var order = new int[Count];
        for (int p = 0; p < Count; p++) order[p] = p;
        Array.Sort(order, (a, b) =>
        {
            int byWeight = points[b].LogGaussWeight.CompareTo(points[a].LogGaussWeight);
            return byWeight != 0 ? byWeight : a.CompareTo(b);
        });
        Z = new double[Count * q];
        LogWeight = new double[Count];
        for (int p = 0; p < Count; p++)
        {
            Array.Copy(points[order[p]].Z, 0, Z, p * q, q);
            LogWeight[p] = points[order[p]].LogW;
        }
    }
}

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// Posterior summaries without Monte Carlo error: of a mixture of skew normals (a fixed effect over the grid's points,
/// each its conditional, <see cref="SkewNormal"/>), with quantiles by solving the mixture's CDF; and of weighted points on a fine lattice (a
/// variance parameter), with quantiles from the weighted CDF interpolated between the points. MCSE is 0; ESS and
/// R-hat do not apply and are NaN (null in JSON, NA in the summary).
/// </summary>
internal static class MixtureSummary
{
    public static PosteriorSummary OfSkewNormals(string name, double[] weights, double[] means, double[] sds, double[] thirdCumulants)
    {
        var components = new SkewNormal[weights.Length];
        for (int k = 0; k < weights.Length; k++) components[k] = SkewNormal.FromCumulants(means[k], sds[k] * sds[k], thirdCumulants[k]);
        double total = weights.Sum(), mean = 0, second = 0;
        for (int k = 0; k < weights.Length; k++)
        {
            double w = weights[k] / total;
            mean += w * means[k];
            second += w * (sds[k] * sds[k] + means[k] * means[k]);
        }
        double sd = Math.Sqrt(Math.Max(0, second - mean * mean));
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int k = 0; k < weights.Length; k++)
        {
            low = Math.Min(low, means[k] - 12 * sds[k]);
            high = Math.Max(high, means[k] + 12 * sds[k]);
        }
        double Cdf(double x)
        {
            double c = 0;
            for (int k = 0; k < weights.Length; k++) c += weights[k] / total * components[k].Cdf(x);
            return c;
        }
        double Quantile(double p)
        {
            double a = low, b = high;
            // Bisection: about 60 halvings reach the doubles' resolution over any bracket of these widths.
            for (int i = 0; i < 200 && b - a > 1e-13 * Math.Max(1.0, Math.Abs(a) + Math.Abs(b)); i++)
            {
                double mid = 0.5 * (a + b);
                if (Cdf(mid) < p) a = mid;
                else b = mid;
            }
            return 0.5 * (a + b);
        }
        return Exact(name, mean, sd, Quantile(0.025), Quantile(0.5), Quantile(0.975));
    }

    public static PosteriorSummary OfWeightedPoints(string name, double[] values, double[] weights)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        double total = weights.Sum(), mean = 0;
        for (int i = 0; i < values.Length; i++) mean += weights[i] / total * values[i];
        double variance = 0;
        for (int i = 0; i < values.Length; i++) variance += weights[i] / total * (values[i] - mean) * (values[i] - mean);
        // Each point's CDF at its own value is the mass below it plus half its own (the midpoint rule).
        var x = order.Select(i => values[i]).ToArray();
        var cdf = new double[x.Length];
        double below = 0;
        for (int r = 0; r < x.Length; r++)
        {
            double w = weights[order[r]] / total;
            cdf[r] = below + 0.5 * w;
            below += w;
        }
        double Quantile(double p)
        {
            if (p <= cdf[0]) return x[0];
            if (p >= cdf[^1]) return x[^1];
            int hi = Array.BinarySearch(cdf, p);
            if (hi >= 0) return x[hi];
            hi = ~hi;
            int lo = hi - 1;
            double t = (p - cdf[lo]) / (cdf[hi] - cdf[lo]);
            return x[lo] + t * (x[hi] - x[lo]);
        }
        return Exact(name, mean, Math.Sqrt(variance), Quantile(0.025), Quantile(0.5), Quantile(0.975));
    }

    private static PosteriorSummary Exact(string name, double mean, double sd, double q025, double q50, double q975) =>
        new(name, mean, sd, q025, q50, q975, Mcse: 0, EssBulk: double.NaN, EssTail: double.NaN, Rhat: double.NaN);
}

using GlmmGpu.Kernels.Numerics;
namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// Convergence diagnostics of several chains' draws of one quantity, as Vehtari, Gelman, Simpson, Carpenter and
/// Bürkner (2021) define them and R's posterior package computes them: split chains, rank-normalised split R-hat
/// (the larger of the bulk's and the folded tail's), bulk ESS (of the rank-normalised split chains), tail ESS (the
/// smaller of the 5% and 95% quantile indicators'), the mean's ESS and Monte Carlo SE. The ESS follows Geyer's
/// initial monotone sequence on the chains' combined autocorrelations, with posterior's FFT padding factor.
/// Each method takes draws[chain][iteration], all chains the same length; NaN where a quantity is constant or not
/// finite (as posterior gives NA).
/// </summary>
public static class ConvergenceDiagnostics
{
    public static double Rhat(double[][] draws)
    {
        if (ShouldReturnNaN(draws)) return double.NaN;
        double bulk = RhatBasic(ZScale(SplitChains(draws)));
        double tail = RhatBasic(ZScale(SplitChains(Fold(draws))));
        return Math.Max(bulk, tail);
    }

    public static double EssBulk(double[][] draws) =>
        ShouldReturnNaN(draws) ? double.NaN : Ess(ZScale(SplitChains(draws)));

    public static double EssTail(double[][] draws)
    {
        if (ShouldReturnNaN(draws)) return double.NaN;
        return Math.Min(EssQuantile(draws, 0.05), EssQuantile(draws, 0.95));
    }

    /// <summary>The ESS of the quantile's indicator, I(x &lt;= q).</summary>
    public static double EssQuantile(double[][] draws, double probability)
    {
        double q = Quantile(draws.SelectMany(c => c).ToArray(), probability);
        var indicator = draws.Select(c => c.Select(v => v <= q ? 1.0 : 0.0).ToArray()).ToArray();
        return ShouldReturnNaN(indicator) ? double.NaN : Ess(SplitChains(indicator));
    }

    /// <summary>The ESS of the mean (posterior's <c>ess_mean</c>: split chains, not rank-normalised).</summary>
    public static double EssMean(double[][] draws) => ShouldReturnNaN(draws) ? double.NaN : Ess(SplitChains(draws));

    /// <summary>The Monte Carlo SE of the mean, sd / sqrt(ESS of the mean).</summary>
    public static double McseMean(double[][] draws)
    {
        var all = draws.SelectMany(c => c).ToArray();
        return StandardDeviation(all) / Math.Sqrt(EssMean(draws));
    }

    /// <summary>The classic split R-hat of the chains as given (already split where wanted).</summary>
    public static double RhatBasic(double[][] chains)
    {
        if (ShouldReturnNaN(chains)) return double.NaN;
        int m = chains.Length, n = chains[0].Length;
        var means = chains.Select(c => c.Average()).ToArray();
        double varBetween = n * Variance(means);
        double varWithin = chains.Select(Variance).Average();
        return Math.Sqrt((varBetween / varWithin + n - 1) / n);
    }

    /// <summary>Each chain cut in two halves (the middle draw of an odd length dropped), as posterior's split_chains.</summary>
    public static double[][] SplitChains(double[][] chains)
    {
        int n = chains[0].Length;
        if (n < 2) return chains;
        int half = n / 2;
        var split = new List<double[]>();
        foreach (var c in chains)
        {
            split.Add(c[..half]);
            split.Add(c[(n - half)..]);
        }
        return split.ToArray();
    }

    /// <summary>|x - median|, for the tail's R-hat.</summary>
    private static double[][] Fold(double[][] chains)
    {
        double median = Quantile(chains.SelectMany(c => c).ToArray(), 0.5);
        return chains.Select(c => c.Select(v => Math.Abs(v - median)).ToArray()).ToArray();
    }

    /// <summary>Rank-normalisation: average ranks over all chains, then the normal quantile of (r - 3/8)/(S + 1/4).</summary>
    public static double[][] ZScale(double[][] chains)
    {
        var all = chains.SelectMany(c => c).ToArray();
        int s = all.Length;
        var order = Enumerable.Range(0, s).ToArray();
        Array.Sort(all.ToArray(), order);
        var ranks = new double[s];
        for (int i = 0; i < s;)
        {
            int j = i;
            while (j + 1 < s && all[order[j + 1]] == all[order[i]]) j++;
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = average;
            i = j + 1;
        }
        var z = new double[chains.Length][];
        int at = 0;
        for (int c = 0; c < chains.Length; c++)
        {
            z[c] = new double[chains[c].Length];
            for (int i = 0; i < z[c].Length; i++, at++) z[c][i] = NormalQuantile.Of((ranks[at] - 0.375) / (s + 0.25));
        }
        return z;
    }

    /// <summary>The effective sample size of the chains as given (posterior's <c>.ess</c>).</summary>
    public static double Ess(double[][] chains)
    {
        int m = chains.Length, n = chains[0].Length;
        if (n < 3 || ShouldReturnNaN(chains)) return double.NaN;
        var centred = chains.Select(c => { double mean = c.Average(); return c.Select(v => v - mean).ToArray(); }).ToArray();
        // posterior's FFT autocovariance divides the sum at lag t by N^2 * 2 after an unnormalised inverse transform
        // of length 2M (M the next size with factors 2, 3, 5 only): the biased estimate times M/N.
        double scale = (double)FftNextGoodSize(n) / n / n;
        double MeanAutocovariance(int lag)
        {
            double total = 0;
            foreach (var c in centred)
            {
                double s = 0;
                for (int t = 0; t + lag < n; t++) s += c[t] * c[t + lag];
                total += s * scale;
            }
            return total / m;
        }
        double acov0 = MeanAutocovariance(0);
        double meanVar = acov0 * n / (n - 1);
        double varPlus = meanVar * (n - 1) / n;
        if (m > 1) varPlus += Variance(chains.Select(c => c.Average()).ToArray());
        var rho = new double[n];
        int t = 0;
        double even = 1;
        rho[0] = even;
        double odd = 1 - (meanVar - MeanAutocovariance(1)) / varPlus;
        rho[1] = odd;
        while (t < n - 5 && !double.IsNaN(even + odd) && even + odd > 0)
        {
            t += 2;
            even = 1 - (meanVar - MeanAutocovariance(t)) / varPlus;
            odd = 1 - (meanVar - MeanAutocovariance(t + 1)) / varPlus;
            if (even + odd >= 0)
            {
                rho[t] = even;
                rho[t + 1] = odd;
            }
        }
        int maxT = t;
        if (even > 0) rho[maxT] = even;
        // Geyer's initial monotone sequence.
        t = 0;
        while (t <= maxT - 4)
        {
            t += 2;
            if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1])
            {
                rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
                rho[t + 1] = rho[t];
            }
        }
        double ess = (double)m * n;
        double tau = -1 + rho[maxT];
        for (int i = 0; i < maxT; i++) tau += 2 * rho[i];
        tau = Math.Max(tau, 1 / Math.Log10(ess));
        return ess / tau;
    }

    private static int FftNextGoodSize(int n)
    {
        if (n <= 2) return 2;
        while (true)
        {
            int m = n;
            while (m % 2 == 0) m /= 2;
            while (m % 3 == 0) m /= 3;
            while (m % 5 == 0) m /= 5;
            if (m <= 1) return n;
            n++;
        }
    }

    private static bool ShouldReturnNaN(double[][] chains)
    {
        double first = chains[0][0];
        bool constant = true;
        foreach (var c in chains)
            foreach (var v in c)
            {
                if (!double.IsFinite(v)) return true;
                if (v != first) constant = false;
            }
        return constant;
    }

    /// <summary>R's default (type 7) quantile.</summary>
    public static double Quantile(double[] values, double probability)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return QuantileSorted(sorted, probability);
    }

    public static double QuantileSorted(double[] sorted, double probability)
    {
        double h = (sorted.Length - 1) * probability;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Sample variance (denominator n - 1).</summary>
    public static double Variance(double[] x)
    {
        double mean = x.Average(), s = 0;
        foreach (var v in x) s += (v - mean) * (v - mean);
        return s / (x.Length - 1);
    }

    public static double StandardDeviation(double[] x) => Math.Sqrt(Variance(x));

}

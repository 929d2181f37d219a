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
            for (int i = 0; i < z[c].Length; i++, at++) z[c][i] = NormalQuantile((ranks[at] - 0.375) / (s + 0.25));
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

    /// <summary>The standard normal quantile function (Wichura's AS 241, about 1e-16 relative).</summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0) return double.NegativeInfinity;
        if (p >= 1) return double.PositiveInfinity;
        double q = p - 0.5, r;
        if (Math.Abs(q) <= 0.425)
        {
            r = 0.180625 - q * q;
            return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r
                + 3.387132872796366608)
                / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r
                + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
        }
        r = q < 0 ? p : 1 - p;
        r = Math.Sqrt(-Math.Log(r));
        double val;
        if (r <= 5)
        {
            r -= 1.6;
            val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r
                + 1.42343711074968357734)
                / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1.0);
        }
        else
        {
            r -= 5;
            val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r
                + 6.6579046435011037772)
                / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1.0);
        }
        return q < 0 ? -val : val;
    }
}

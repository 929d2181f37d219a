using System.Globalization;

using GlmmGpu.Fitting;

namespace GlmmGpu.Results;

/// <summary>
/// Number formatting the way R prints it, so that summaries read like lme4's: <c>format(x, digits = d)</c>
/// (a common number of decimals for a column, fixed or scientific notation by width), <c>round</c>,
/// <c>zapsmall</c>, <c>format.pval</c>, significance stars, type-7 quantiles and <c>abbreviate</c>.
/// Everything is culture-invariant.
/// </summary>
public static class RFormat
{
    /// <summary>R's <c>.Machine$double.eps</c>, the smallest p-value printed as a number.</summary>
    public const double DoubleEps = 2.220446049250313e-16;

    /// <summary>The legend under a coefficient table with stars (ASCII quotes).</summary>
    public const string SignifLegend = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>R's <c>format(x, digits = digits)</c> for one number.</summary>
    public static string Format(double x, int digits = 7) => Format(new[] { x }, digits)[0];

    /// <summary>
    /// R's <c>format(x, digits = digits)</c> for a vector: the fewest significant digits (at most
    /// <paramref name="digits"/>) that show every element to <paramref name="digits"/> significant digits,
    /// one number of decimals for all, scientific notation when it is narrower, all padded on the left to
    /// one width. Non-finite values print as <c>NaN</c>, <c>Inf</c>, <c>-Inf</c>.
    /// </summary>
    public static string[] Format(IReadOnlyList<double> x, int digits = 7)
    {
        digits = Math.Clamp(digits, 1, 15);
        bool anyFinite = false, neg = false;
        int rgt = int.MinValue, mxsl = int.MinValue, mxns = int.MinValue, mxe = int.MinValue, mne = int.MaxValue;
        foreach (var v in x)
        {
            if (!double.IsFinite(v)) continue;
            anyFinite = true;
            var (isNeg, kp, nsig) = Scientific(v, digits);
            int left = kp + 1;
            int sleft = (isNeg ? 1 : 0) + (left <= 0 ? 1 : left);
            int right = nsig - left;
            neg |= isNeg;
            rgt = Math.Max(rgt, right);
            mxsl = Math.Max(mxsl, sleft);
            mxns = Math.Max(mxns, nsig);
            mxe = Math.Max(mxe, kp);
            mne = Math.Min(mne, kp);
        }

        var cells = new string[x.Count];
        if (anyFinite)
        {
            if (rgt < 0) rgt = 0;
            int wF = mxsl + rgt + (rgt != 0 ? 1 : 0);
            int expDigits = (mxe >= 100 || mne <= -100) ? 3 : 2;
            int d = mxns - 1;
            int wE = (neg ? 1 : 0) + (d > 0 ? 1 : 0) + d + 3 + expDigits;
            bool fixedNotation = wF <= wE;
            for (int i = 0; i < x.Count; i++)
            {
                var v = x[i];
                cells[i] = !double.IsFinite(v) ? NonFinite(v)
                    : fixedNotation ? FormatFixed(v, rgt)
                    : FormatScientific(v, d, expDigits);
            }
        }
        else
        {
            for (int i = 0; i < x.Count; i++) cells[i] = NonFinite(x[i]);
        }
        return PadLeftToCommonWidth(cells);
    }

    /// <summary><c>x</c> with exactly <paramref name="decimals"/> decimals (R's <c>formatC(x, format = "f")</c>).</summary>
    public static string FormatFixed(double x, int decimals)
    {
        if (!double.IsFinite(x)) return NonFinite(x);
        var s = x.ToString("F" + Math.Clamp(decimals, 0, 99), Inv);
        // R never prints negative zero ("-0.000").
        return s.StartsWith('-') && s.AsSpan(1).IndexOfAnyExcept("0.") < 0 ? s[1..] : s;
    }

    /// <summary>Scientific notation as R writes it: <c>1.47e-09</c>, <c>2e-16</c>.</summary>
    public static string FormatScientific(double x, int mantissaDecimals, int exponentDigits = 2)
    {
        if (!double.IsFinite(x)) return NonFinite(x);
        var s = x.ToString("E" + Math.Clamp(mantissaDecimals, 0, 99), Inv);
        int e = s.IndexOf('E');
        int exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, Inv);
        return s[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString(new string('0', exponentDigits), Inv);
    }

    /// <summary>R's <c>round(x, digits)</c>: half to even at the given number of decimals (negative: tens, hundreds).</summary>
    public static double Round(double x, int digits)
    {
        if (!double.IsFinite(x)) return x;
        if (digits > 15) return x;
        if (digits >= 0) return Math.Round(x, digits, MidpointRounding.ToEven);
        var scale = Math.Pow(10, -digits);
        return Math.Round(x / scale, MidpointRounding.ToEven) * scale;
    }

    /// <summary>R's <c>zapsmall(x, digits)</c>: round so that values tiny next to the largest become 0.</summary>
    public static double[] ZapSmall(IReadOnlyList<double> x, int digits)
    {
        double mx = 0;
        foreach (var v in x)
            if (double.IsFinite(v)) mx = Math.Max(mx, Math.Abs(v));
        int round = mx > 0 ? Math.Max(0, digits - (int)Math.Ceiling(Math.Log10(mx))) : digits;
        return x.Select(v => Round(v, round)).ToArray();
    }

    /// <summary>
    /// R's <c>format.pval(p, digits)</c>: p-values below <paramref name="eps"/> as <c>&lt; 2e-16</c>; those of
    /// 1e-4 and more in fixed notation together, smaller ones in scientific notation together.
    /// </summary>
    public static string[] FormatPValues(IReadOnlyList<double> p, int digits = 3, double eps = DoubleEps)
    {
        var result = new string[p.Count];
        var fixedIdx = new List<int>();
        var sciIdx = new List<int>();
        var tinyIdx = new List<int>();
        for (int i = 0; i < p.Count; i++)
        {
            var v = p[i];
            if (double.IsNaN(v)) { result[i] = "NaN"; continue; }
            if (v < eps) { tinyIdx.Add(i); continue; }
            int expo = (int)Math.Floor(Math.Log10(v > 0 ? v : 1e-50));
            (expo >= -3 || (expo == -4 && digits > 1) ? fixedIdx : sciIdx).Add(i);
        }
        void FormatGroup(List<int> idx)
        {
            if (idx.Count == 0) return;
            var cells = Format(idx.Select(i => p[i]).ToArray(), digits);
            for (int k = 0; k < idx.Count; k++) result[idx[k]] = cells[k];
        }
        FormatGroup(fixedIdx);
        FormatGroup(sciIdx);
        if (tinyIdx.Count > 0)
        {
            int d = Math.Max(1, digits - 2);
            string sep;
            if (fixedIdx.Count + sciIdx.Count > 0)
            {
                int nc = fixedIdx.Concat(sciIdx).Max(i => result[i].Length);
                if (d > 1 && d + 6 > nc) d = Math.Max(1, nc - 7);
                sep = d == 1 && nc <= 6 ? "" : " ";
            }
            else
            {
                sep = d == 1 ? "" : " ";
            }
            var text = "<" + sep + Format(eps, d);
            foreach (var i in tinyIdx) result[i] = text;
        }
        return result;
    }

    /// <summary>One p-value as <see cref="FormatPValues"/> writes it alone.</summary>
    public static string FormatPValue(double p, int digits = 3) => FormatPValues(new[] { p }, digits)[0];

    /// <summary>R's significance stars: <c>***</c> p ≤ 0.001, <c>**</c> ≤ 0.01, <c>*</c> ≤ 0.05, <c>.</c> ≤ 0.1, else a space.</summary>
    public static string SignifStars(double p) => double.IsNaN(p) ? "" : p <= 0.001 ? "***" : p <= 0.01 ? "**" : p <= 0.05 ? "*" : p <= 0.1 ? "." : " ";

    /// <summary>R's default (type 7) sample quantile of <paramref name="values"/> at probability <paramref name="prob"/>; NaNs ignored.</summary>
    public static double Quantile(IReadOnlyList<double> values, double prob) => Quantiles(values, new[] { prob })[0];

    /// <summary>R's type-7 quantiles at several probabilities. Only the order statistics they need are found, by
    /// selection (a summary of a million residuals should not sort them).</summary>
    public static double[] Quantiles(IReadOnlyList<double> values, IReadOnlyList<double> probs)
    {
        var work = new double[values.Count];
        int n = 0;
        if (values is double[] array)
        {
            foreach (double v in array)
                if (!double.IsNaN(v)) work[n++] = v;
        }
        else
            foreach (var v in values)
                if (!double.IsNaN(v)) work[n++] = v;
        var result = new double[probs.Count];
        if (n == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        var positions = new (int Lo, int Hi, double Fraction)[probs.Count];
        var ranks = new SortedSet<int>();
        for (int i = 0; i < probs.Count; i++)
        {
            double h = (n - 1) * Math.Clamp(probs[i], 0, 1);
            int lo = (int)Math.Floor(h);
            int hi = Math.Min(lo + 1, n - 1);
            positions[i] = (lo, hi, h - lo);
            ranks.Add(lo);
            ranks.Add(hi);
        }
        var span = work.AsSpan(0, n);
        int left = 0;
        // Each selection leaves everything ranked above its order statistic to its right, so the next (larger) one
        // is selected from there alone.
        foreach (int rank in ranks)
        {
            OrderStatistic.Select(span[left..], rank - left);
            left = rank + 1;
        }
        for (int i = 0; i < result.Length; i++)
        {
            var (lo, hi, f) = positions[i];
            result[i] = span[lo] + f * (span[hi] - span[lo]);
        }
        return result;
    }

    /// <summary>
    /// R's <c>abbreviate(name, minlength)</c> for one name: drop lower-case vowels from the right (keeping the
    /// first character), then lower-case letters, then anything, until it is no longer than <paramref name="minLength"/>.
    /// </summary>
    public static string Abbreviate(string name, int minLength)
    {
        var s = name.Trim();
        if (s.Length <= minLength) return s;
        var b = new System.Text.StringBuilder(s);
        int Len() => b.Length - CountSpaces(b);
        bool FirstChar(int i) => char.IsWhiteSpace(b[i - 1]);
        bool LastChar(int i) => !char.IsWhiteSpace(b[i - 1]) && (i + 1 == b.Length || char.IsWhiteSpace(b[i + 1]));
        static bool LowVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

        bool Pass(Func<int, bool> drop)
        {
            for (int i = b.Length - 1; i > 0; i--)
            {
                if (i < b.Length && drop(i)) b.Remove(i, 1);
                if (Len() <= minLength) return true;
            }
            return false;
        }

        _ = Pass(i => LowVowel(b[i]) && LastChar(i))
            || Pass(i => LowVowel(b[i]) && !FirstChar(i))
            || Pass(i => char.IsLower(b[i]) && LastChar(i))
            || Pass(i => char.IsLower(b[i]) && !FirstChar(i))
            || Pass(i => !FirstChar(i) && !char.IsWhiteSpace(b[i]));
        return b.ToString().Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>R's <c>abbreviate(names, minlength)</c>: as <see cref="Abbreviate(string, int)"/>, lengthening duplicates until all differ.</summary>
    public static string[] Abbreviate(IReadOnlyList<string> names, int minLength)
    {
        var result = names.Select(n => Abbreviate(n, minLength)).ToArray();
        for (int len = minLength + 1; len <= names.Max(n => n.Length); len++)
        {
            var dups = result.Select((r, i) => (r, i)).GroupBy(t => t.r).Where(g => g.Count() > 1).SelectMany(g => g.Select(t => t.i)).ToArray();
            if (dups.Length == 0) break;
            foreach (var i in dups) result[i] = Abbreviate(names[i], len);
        }
        return result;
    }

    internal static string[] PadLeftToCommonWidth(string[] cells)
    {
        int w = cells.Length == 0 ? 0 : cells.Max(c => c.Length);
        return cells.Select(c => c.PadLeft(w)).ToArray();
    }

    private static int CountSpaces(System.Text.StringBuilder b)
    {
        int n = 0;
        for (int i = 0; i < b.Length; i++) if (char.IsWhiteSpace(b[i])) n++;
        return n;
    }

    private static string NonFinite(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";

    /// <summary>
    /// Sign, decimal exponent and the number of significant digits (at most <paramref name="digits"/>, trailing
    /// zeros dropped) needed to show |x| rounded to <paramref name="digits"/> significant digits (R's scientific()).
    /// </summary>
    private static (bool Neg, int Kp, int Nsig) Scientific(double x, int digits)
    {
        if (x == 0) return (false, 0, 1);
        var s = Math.Abs(x).ToString("E" + (digits - 1), Inv);
        int e = s.IndexOf('E');
        int kp = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, Inv);
        var mantissa = s[..e].Replace(".", "", StringComparison.Ordinal);
        int nsig = mantissa.TrimEnd('0').Length;
        return (x < 0, kp, Math.Max(1, nsig));
    }
}

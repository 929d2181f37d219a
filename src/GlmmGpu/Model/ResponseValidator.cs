using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>
/// Reads the response and prior weights and checks them against the family's support, naming the
/// expression and the first bad data row. Binomial data become successes and trials: <c>cbind(s, f)</c>
/// gives s of s + f; a proportion y with weights w gives y w of w; 0/1 data (or a two-level factor, first
/// level = failure) give y of 1. Prior weights multiply the binomial trials, as in R's glm.
/// </summary>
internal static class ResponseValidator
{
    public static (double[] Response, double[] Weights) Build(ModelRows rows, ResponseSpec spec, FamilyKind family, string? weightsColumn)
    {
        var weights = weightsColumn is null ? null : Weights(rows, weightsColumn);
        if (spec is BinomialResponse cbind)
        {
            if (family != FamilyKind.Binomial)
                throw new GlmmException(
                    $"response 'cbind({cbind.Successes.Text}, {cbind.Failures.Text})' gives binomial counts, but the family is {FamilyNames.RName(family)}");
            return Counts(rows, cbind, weights);
        }
        var single = (SingleResponse)spec;
        string label = single.Value.Text;
        if (single.Value is ColumnExpression c && rows.Data.IsFactor(c.Name))
        {
            if (family != FamilyKind.Binomial)
                throw new GlmmException($"response '{label}' is a factor; the {FamilyNames.RName(family)} family needs numbers");
            return Proportions(rows, label, FactorAsZeroOne(rows, c.Name), weights);
        }
        var y = rows.Numbers(single.Value, label);
        switch (family)
        {
            case FamilyKind.Binomial:
                return Proportions(rows, label, y, weights);
            case FamilyKind.Poisson:
            case FamilyKind.NegativeBinomial:
                Require(rows, y, v => v < 0 || v != Math.Floor(v), $"response '{label}'",
                    $"{FamilyNames.RName(family)} counts must be non-negative integers");
                break;
            case FamilyKind.Gamma:
            case FamilyKind.InverseGaussian:
                Require(rows, y, v => v <= 0, $"response '{label}'",
                    $"the {FamilyNames.RName(family)} family needs a strictly positive response");
                break;
            case FamilyKind.Gaussian:
                break; // any finite value; finiteness was checked when the response was evaluated
        }
        return (y, weights ?? Ones(rows.Count));
    }

    private static double[] Weights(ModelRows rows, string column)
    {
        if (rows.Data.IsFactor(column))
            throw new GlmmException($"weights column '{column}' is a factor; weights must be numbers");
        var w = rows.Numbers(new ColumnExpression(column), $"weights '{column}'");
        Require(rows, w, v => v < 0, $"weights '{column}'", "weights must be non-negative");
        return w;
    }

    private static (double[], double[]) Counts(ModelRows rows, BinomialResponse cbind, double[]? weights)
    {
        string term = $"cbind({cbind.Successes.Text}, {cbind.Failures.Text})";
        var s = rows.Numbers(cbind.Successes, term);
        var f = rows.Numbers(cbind.Failures, term);
        const string rule = "binomial counts must be non-negative integers";
        Require(rows, s, v => v < 0 || v != Math.Floor(v), $"cbind successes '{cbind.Successes.Text}'", rule);
        Require(rows, f, v => v < 0 || v != Math.Floor(v), $"cbind failures '{cbind.Failures.Text}'", rule);
        var response = new double[s.Length];
        var trials = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            double w = weights?[i] ?? 1.0;
            response[i] = w * s[i];
            trials[i] = w * (s[i] + f[i]);
        }
        return (response, trials);
    }

    private static (double[], double[]) Proportions(ModelRows rows, string label, double[] y, double[]? weights)
    {
        if (weights is null)
        {
            Require(rows, y, v => v != 0 && v != 1, $"response '{label}'",
                "binomial data must be 0 or 1 (give proportions with a weights column, or use cbind(successes, failures))");
            return (y, Ones(rows.Count));
        }
        Require(rows, y, v => v < 0 || v > 1, $"response '{label}'", "a binomial proportion must lie in [0, 1]");
        var successes = new double[y.Length];
        for (int i = 0; i < y.Length; i++) successes[i] = y[i] * weights[i];
        return (successes, weights);
    }

    private static double[] FactorAsZeroOne(ModelRows rows, string column)
    {
        var factor = rows.Factor(column);
        if (factor.LevelCount > 2)
            throw new GlmmException(
                $"response '{column}' is a factor with {factor.LevelCount} levels; a binomial response needs two (the first is failure)");
        var y = new double[rows.Count];
        for (int i = 0; i < y.Length; i++) y[i] = factor.Codes[i] == 0 ? 0.0 : 1.0;
        return y;
    }

    private static void Require(ModelRows rows, double[] values, Func<double, bool> bad, string what, string rule)
    {
        int i = rows.FirstInSourceOrder(values, bad);
        if (i >= 0)
            throw new GlmmException($"{what} row {rows.SourceRow[i] + 1} is {Format(values[i])}: {rule}");
    }

    /// <summary>Ten significant digits, or all of them where ten would hide what is wrong (3.0000000001 is not a count).</summary>
    private static string Format(double v)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string shortForm = v.ToString("G10", invariant);
        return double.Parse(shortForm, invariant) == v ? shortForm : v.ToString("R", invariant);
    }

    private static double[] Ones(int n)
    {
        var x = new double[n];
        Array.Fill(x, 1.0);
        return x;
    }
}

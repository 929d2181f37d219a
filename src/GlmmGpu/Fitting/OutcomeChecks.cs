using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;
using GlmmGpu.Specification;

namespace GlmmGpu.Fitting;

/// <summary>
/// What the response alone can tell: an outcome with no variation (refused before fitting), and separation, a
/// direction d of the fixed effects along which the likelihood never stops rising (found after a fit, or where the GLM
/// start broke down). Separation is proved, not guessed: d must move every row's fitted mean only towards that row's
/// own extreme (a binomial 0 towards probability 0, a count of 0 towards rate 0) and leave every other row alone, so
/// that each row's likelihood, and with it the marginal likelihood, rises along d for ever: the estimates along d run
/// off to infinity.
/// </summary>
internal static class OutcomeChecks
{
    /// <summary>A fitted mean within this of the extreme its row's response sits at (relative to the response's
    /// scale) marks a row a candidate for separation: there a separated estimate, stopped by the optimizer's tolerance,
    /// has already taken it.</summary>
    private const double BoundaryMean = 1e-6;
    /// <summary>Eigenvalues of the interior rows' scaled cross-product below this span the directions those rows do
    /// not determine (an exact separation gives zero to rounding).</summary>
    private const double NullEigenvalue = 1e-10;
    /// <summary>How far from exact a direction may be, relative to its largest move of any row, and still count.</summary>
    private const double Slack = 1e-8;

    /// <summary>The response as the formula writes it.</summary>
    public static string ResponseLabel(ModelFrame frame) => frame.Formula.Response switch
    {
        BinomialResponse b => $"cbind({b.Successes.Text}, {b.Failures.Text})",
        SingleResponse s => s.Value.Text,
        _ => "the response",
    };

    /// <summary>
    /// Refuses a response with no variation over the rows that carry weight: a binomial outcome 0 in every row (or 1 in
    /// every row), a count 0 in every row, a Gaussian, Gamma or inverse Gaussian response with one value. No model can
    /// be fitted to it: its intercept or its residual variance would run to the boundary.
    /// </summary>
    public static void RequireVariation(ModelFrame frame)
    {
        var y = frame.Response;
        var w = frame.Weights;
        string label = ResponseLabel(frame);
        string family = FamilyNames.RName(frame.Family);
        string cannot = $"a {family} model cannot be fitted to an outcome with no variation";
        bool cbind = frame.Formula.Response is BinomialResponse;
        int first = Array.FindIndex(w, v => v > 0);
        if (first < 0) throw new GlmmException($"the response '{label}' has no row with a positive weight (or binomial trials): there is nothing to fit");
        switch (frame.Family)
        {
            case FamilyKind.Binomial:
                if (AllRows(y, w, (yi, wi) => yi == 0))
                    throw new GlmmException(cbind ? $"the response '{label}' has no successes in any row: {cannot}" : $"the response '{label}' is 0 in every row: {cannot}");
                if (AllRows(y, w, (yi, wi) => yi == wi))
                    throw new GlmmException(cbind ? $"the response '{label}' has no failures in any row: {cannot}" : $"the response '{label}' is 1 in every row: {cannot}");
                break;
            case FamilyKind.Poisson:
            case FamilyKind.NegativeBinomial:
                if (AllRows(y, w, (yi, wi) => yi == 0)) throw new GlmmException($"the response '{label}' is 0 in every row: {cannot}");
                break;
            default:
                double value = y[first];
                if (AllRows(y, w, (yi, wi) => yi == value))
                    throw new GlmmException($"the response '{label}' is {value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture)} in every row: {cannot}");
                break;
        }
    }

    private static bool AllRows(double[] y, double[] w, Func<double, double, bool> test)
    {
        for (int i = 0; i < y.Length; i++)
            if (w[i] > 0 && !test(y[i], w[i])) return false;
        return true;
    }

    /// <summary>A separation of the response by the fixed effects: the coefficients along the direction, whether
    /// every row moves (complete) or some stay (quasi-complete), and what the user is told.</summary>
    public sealed record Separation(int[] Coefficients, string[] Names, bool Complete, string Description);

    /// <summary>
    /// The separation of the response by the fixed effects that the estimates <paramref name="beta"/> (with the
    /// conditional modes <paramref name="modes"/> of the frame's random-effects term by level, where there are any)
    /// have run along, or null where they show none. Two candidates: beta itself (complete separation: every row's
    /// fitted mean already on its own side), and the part of beta the rows away from their extremes do not determine
    /// (quasi-complete).
    /// </summary>
    public static Separation? Find(ModelFrame frame, double[] beta, double[][]? modes)
    {
        var kind = KindOf(frame);
        if (kind == RunOff.None || beta.Length == 0) return null;
        if (CompleteSeparation(frame, kind, beta) is { } complete) return complete;
        var atBoundary = RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new BoundaryRows(frame, kind, beta, modes));
        // No row at its extreme: the rows' columns determine every direction (the frame's X has full rank).
        if (!atBoundary.Contains(true)) return null;
        return Certify(frame, kind, NotDetermined(frame, kind, beta, atBoundary), complete: false);
    }

    /// <summary>
    /// Refuses the GLM start <paramref name="beta"/> where the data are completely separated (every row's fitted mean can
    /// be sent to its own extreme): nothing is left for a mixed model to estimate. Along beta the first row on the wrong
    /// side ends the test, in an ordinary fit one of the first; where the IRLS did not converge its iterates may point
    /// anywhere (their weights underflow), and single columns are tried too.
    /// </summary>
    public static void RequireNoCompleteSeparation(ModelFrame frame, double[] beta, bool converged)
    {
        var kind = KindOf(frame);
        if (kind == RunOff.None) return;
        var separation = CompleteSeparation(frame, kind, beta);
        if (separation is null && !converged && SingleColumnSeparation(frame, kind) is { Complete: true } single) separation = single;
        if (separation is not null) throw Unfittable(frame, separation);
    }

    /// <summary>A complete separation along beta or against it: an iteration that breaks down on separated data (IRLS
    /// whose weights underflow) can leave its estimates pointing either way along the separating direction.</summary>
    private static Separation? CompleteSeparation(ModelFrame frame, RunOff kind, double[] beta) =>
        Certify(frame, kind, beta, complete: true) ?? Certify(frame, kind, beta.Select(v => -v).ToArray(), complete: true);

    private const string StartFailed = "the GLM fit for starting values failed: ";

    /// <summary>The error for a separation no fit can report: a complete one, or one that broke the GLM start.</summary>
    public static GlmmException Unfittable(ModelFrame frame, Separation separation) =>
        new(separation.Description + $"; no {FamilyNames.RName(frame.Family)} model can be fitted to these data as they stand");

    /// <summary>
    /// After a fit: where the estimates have run along a quasi-complete separation (<see cref="Find"/>), says so as the
    /// reason the fit did not converge, and makes the covariances of the coefficients along it not available (NaN); true
    /// where it did. A complete separation leaves nothing to report: it is an error.
    /// </summary>
    public static bool ReportSeparation(ModelFrame frame, double[] beta, double[][]? modes, double[,] covariance, List<string> messages)
    {
        if (Find(frame, beta, modes) is not { } separation) return false;
        if (separation.Complete) throw Unfittable(frame, separation);
        messages.Add(FitChecks.NotConverged + separation.Description);
        foreach (int j in separation.Coefficients)
            for (int k = 0; k < beta.Length; k++) covariance[j, k] = covariance[k, j] = double.NaN;
        return true;
    }

    /// <summary>
    /// The exception for a GLM start that broke down at <paramref name="beta"/> (its weighted cross-product singular):
    /// separation where the iterates show it, a response the link's mean cannot reach where there is one, else the
    /// breakdown itself.
    /// </summary>
    public static GlmmException StartFailure(ModelFrame frame, double[] beta)
    {
        if ((Find(frame, beta, null) ?? SingleColumnSeparation(frame, KindOf(frame))) is { } separation) return Unfittable(frame, separation);
        if (UnreachableResponse(frame) is { } unreachable) return new GlmmException(StartFailed + unreachable);
        return new GlmmException(StartFailed + "the weighted design matrix is singular");
    }

    /// <summary>For a Gaussian model with a link whose mean is positive (log, inverse, 1/mu^2, sqrt), a note on the
    /// responses at or below zero that the mean cannot reach; null otherwise.</summary>
    public static string? UnreachableResponse(ModelFrame frame)
    {
        if (frame.Family != FamilyKind.Gaussian || frame.Link == LinkKind.Identity) return null;
        int count = 0;
        for (int i = 0; i < frame.RowCount; i++)
            if (frame.Weights[i] > 0 && frame.Response[i] <= 0) count++;
        if (count == 0) return null;
        return $"the response '{ResponseLabel(frame)}' is 0 or negative in {count} of {frame.RowCount} rows, where the mean of the " +
            $"{FamilyNames.RName(frame.Link)} link cannot go (use the identity link, or a response on a scale the link can reach)";
    }

    /// <summary>The models in which a row's likelihood can rise for ever as its linear predictor runs off.</summary>
    private enum RunOff { None, Binomial, Counts, GaussianLog }

    private static RunOff KindOf(ModelFrame frame) =>
        frame.Family == FamilyKind.Binomial && frame.Link is LinkKind.Logit or LinkKind.Probit or LinkKind.Cloglog ? RunOff.Binomial
        : frame.Family is FamilyKind.Poisson or FamilyKind.NegativeBinomial && frame.Link == LinkKind.Log ? RunOff.Counts
        : frame.Family == FamilyKind.Gaussian && frame.Link == LinkKind.Log ? RunOff.GaussianLog
        : RunOff.None;

    /// <summary>
    /// The way row i's likelihood rises without bound: -1 where it rises as the mean falls to its lower limit (a
    /// binomial 0, a count 0, a Gaussian response at or below zero under the log link), +1 where it rises as the mean
    /// climbs to 1 (a binomial row of successes only), 0 where the likelihood has an interior maximum, and NaN for a
    /// row without weight.
    /// </summary>
    private static double Side(ModelFrame frame, RunOff kind, int i)
    {
        double y = frame.Response[i], w = frame.Weights[i];
        if (!(w > 0)) return double.NaN;
        return kind switch
        {
            RunOff.Binomial => y == 0 ? -1 : y == w ? 1 : 0,
            RunOff.Counts => y == 0 ? -1 : 0,
            _ => y <= 0 ? -1 : 0,
        };
    }

    /// <summary>
    /// Rows whose fitted mean is at the extreme their response sits at (within <see cref="BoundaryMean"/>; a Gaussian
    /// mean relative to the response's mean absolute size), the linear predictor offset + X beta + Z b formed row by
    /// row in blocks on all cores and compared with the linear predictors at which the mean reaches those bounds (the
    /// links here increase with eta), so that no row takes an exp.
    /// </summary>
    private sealed class BoundaryRows(ModelFrame frame, RunOff kind, double[] beta, double[][]? modes) : IRowLikelihoodVisitor<bool[]>
    {
        public bool[] Visit<TModel>() where TModel : struct, IRowLikelihood
        {
            int n = frame.RowCount;
            double unit = 1.0;
            if (frame.Family == FamilyKind.Gaussian)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += Math.Abs(frame.Response[i]);
                unit = sum > 0 ? sum / n : 1.0;
            }
            double low = EtaWhereMeanIs<TModel>(BoundaryMean * unit), high = EtaWhereMeanIs<TModel>(1 - BoundaryMean);
            var block = modes is null ? null : frame.RandomEffects[0];
            var at = new bool[n];
            const int rowBlock = 1 << 16;
            Parallel.For(0, (n + rowBlock - 1) / rowBlock, blk =>
            {
                int end = Math.Min(n, (blk + 1) * rowBlock);
                for (int i = blk * rowBlock; i < end; i++)
                {
                    double side = Side(frame, kind, i);
                    if (side is not (1.0 or -1.0)) continue;
                    double eta = frame.Offset[i];
                    for (int k = 0; k < frame.P; k++) eta += frame.XAt(i, k) * beta[k];
                    if (block is not null)
                    {
                        var b = modes![block.LevelOfRow[i]];
                        for (int d = 0; d < block.Q; d++) eta += block.Z[(long)d * n + i] * b[d];
                    }
                    at[i] = side < 0 ? eta < low : eta > high;
                }
            });
            return at;
        }

        /// <summary>The linear predictor at which the model's mean is <paramref name="mean"/>, by bisection on the
        /// (increasing) inverse link; +-inf where the mean does not reach it.</summary>
        private static double EtaWhereMeanIs<TModel>(double mean) where TModel : struct, IRowLikelihood
        {
            double lo = -1000, hi = 1000;
            if (!(default(TModel).Mean(lo) < mean)) return double.NegativeInfinity;
            if (!(default(TModel).Mean(hi) > mean)) return double.PositiveInfinity;
            for (int iter = 0; iter < 100; iter++)
            {
                double mid = 0.5 * (lo + hi);
                if (default(TModel).Mean(mid) < mean) lo = mid;
                else hi = mid;
            }
            return lo;
        }
    }

    /// <summary>
    /// The component of beta in the directions the interior rows do not determine: rows not at their own extreme pin
    /// the estimates down in every direction their columns span; what is left of beta lies in the null space of their
    /// cross-product, in columns scaled to unit length over all rows.
    /// </summary>
    private static double[] NotDetermined(ModelFrame frame, RunOff kind, double[] beta, bool[] atBoundary)
    {
        int n = frame.RowCount, p = frame.P;
        var scale = new double[p];
        var gram = new double[p, p];
        for (int i = 0; i < n; i++)
        {
            if (!(frame.Weights[i] > 0)) continue;
            for (int a = 0; a < p; a++) scale[a] += frame.XAt(i, a) * frame.XAt(i, a);
            if (atBoundary[i]) continue;
            for (int a = 0; a < p; a++)
                for (int b = 0; b <= a; b++) gram[a, b] += frame.XAt(i, a) * frame.XAt(i, b);
        }
        for (int a = 0; a < p; a++) scale[a] = scale[a] > 0 ? Math.Sqrt(scale[a]) : 1.0;
        for (int a = 0; a < p; a++)
            for (int b = 0; b <= a; b++) gram[b, a] = gram[a, b] = gram[a, b] / (scale[a] * scale[b]);
        var (values, vectors) = SymmetricEigen.Decompose(gram);
        var scaledBeta = new double[p];
        for (int a = 0; a < p; a++) scaledBeta[a] = scale[a] * beta[a];
        var d = new double[p];
        for (int k = 0; k < p; k++)
        {
            if (values[k] > NullEigenvalue) continue;
            double along = 0;
            for (int a = 0; a < p; a++) along += vectors[a, k] * scaledBeta[a];
            for (int a = 0; a < p; a++) d[a] += along * vectors[a, k];
        }
        for (int a = 0; a < p; a++) d[a] /= scale[a];
        return d;
    }

    /// <summary>
    /// A separation by one column and a threshold c: d = +-(x_j - c) (c through the intercept column), with c the one
    /// value the rows with an interior maximum share (where there are any), or between the two extremes' rows. The
    /// candidates come from one pass over the rows; <see cref="Certify"/> is the proof. Null where no column separates.
    /// </summary>
    private static Separation? SingleColumnSeparation(ModelFrame frame, RunOff kind)
    {
        if (kind == RunOff.None) return null;
        int n = frame.RowCount, p = frame.P;
        int intercept = Enumerable.Range(0, p).FirstOrDefault(a => Enumerable.Range(0, n).All(i => frame.XAt(i, a) == 1.0), -1);
        for (int j = 0; j < p; j++)
        {
            if (j == intercept) continue;
            // Per side (-1, 0, +1): the smallest and largest x_j.
            var min = new[] { double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity };
            var max = new[] { double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity };
            for (int i = 0; i < n; i++)
            {
                double side = Side(frame, kind, i);
                if (double.IsNaN(side)) continue;
                int k = (int)side + 1;
                double x = frame.XAt(i, j);
                min[k] = Math.Min(min[k], x);
                max[k] = Math.Max(max[k], x);
            }
            bool interior = min[1] <= max[1];
            if (interior && min[1] != max[1]) continue;
            foreach (double orientation in new[] { 1.0, -1.0 })
            {
                // Rows of side -1 must end up at or below c along orientation (x_j - c), rows of side +1 at or above.
                double below = orientation > 0 ? max[0] : -min[0], above = orientation > 0 ? min[2] : -max[2];
                if (!(below <= above)) continue;
                double c = interior ? min[1]
                    : orientation * (double.IsInfinity(below) ? above : double.IsInfinity(above) ? below : 0.5 * (below + above));
                if (interior && !(orientation * c >= below && orientation * c <= above)) continue;
                if (!double.IsFinite(c) || (c != 0 && intercept < 0)) continue;
                var d = new double[p];
                d[j] = orientation;
                if (intercept >= 0) d[intercept] = -orientation * c;
                if (Certify(frame, kind, d, complete: false) is { } separation) return separation;
            }
        }
        return null;
    }

    /// <summary>How far the direction d moves row i's linear predictor: (X d)_i.</summary>
    private static double Move(ModelFrame frame, double[] d, int i)
    {
        double t = 0;
        for (int a = 0; a < d.Length; a++) t += frame.XAt(i, a) * d[a];
        return t;
    }

    /// <summary>
    /// Whether the direction d separates: X d moves no row against its side, moves no row that has an interior maximum,
    /// and moves some row (each to <see cref="Slack"/> of the largest move). Complete when every row with weight moves;
    /// asked for a complete separation, the first row that does not move ends the test.
    /// </summary>
    private static Separation? Certify(ModelFrame frame, RunOff kind, double[] d, bool complete)
    {
        int n = frame.RowCount, p = frame.P;
        if (!d.All(double.IsFinite) || d.All(v => v == 0)) return null;
        double largest = 0;
        for (int i = 0; i < n; i++)
        {
            double side = Side(frame, kind, i);
            if (double.IsNaN(side)) continue;
            double t = Move(frame, d, i);
            // A complete separation moves every row its own way: the first that does not rules it out.
            if (complete && !(side * t > 0)) return null;
            largest = Math.Max(largest, Math.Abs(t));
        }
        if (!(largest > 0)) return null;
        double slack = Slack * largest;
        bool everyRowMoves = true;
        for (int i = 0; i < n; i++)
        {
            double side = Side(frame, kind, i);
            if (double.IsNaN(side)) continue;
            double t = Move(frame, d, i), along = side * t;
            if (side == 0 ? Math.Abs(t) > slack : along < -slack) return null;
            if (!(along > slack)) everyRowMoves = false;
        }
        if (complete && !everyRowMoves) return null;
        // The coefficients that carry the direction, in columns scaled alike.
        var size = new double[p];
        for (int a = 0; a < p; a++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += frame.XAt(i, a) * frame.XAt(i, a);
            size[a] = Math.Abs(d[a]) * Math.Sqrt(s);
        }
        double biggest = size.Max();
        var coefficients = Enumerable.Range(0, p).Where(a => size[a] >= 1e-3 * biggest).ToArray();
        var names = coefficients.Select(a => frame.FixedNames[a]).ToArray();
        string symptom = frame.Family switch
        {
            FamilyKind.Binomial => "fitted probabilities numerically 0 or 1 occurred",
            FamilyKind.Gaussian => "fitted means numerically 0 occurred where the response is 0 or negative",
            _ => "fitted rates numerically 0 occurred",
        };
        string list = string.Join(", ", names);
        string description = $"the fixed effects separate the response ({(everyRowMoves ? "complete" : "quasi-complete")} separation along {list}): " +
            $"{symptom}, and the estimates of {list} run off to infinity, so they and their standard errors are not meaningful " +
            "(drop or merge the terms, or use a penalised fit)";
        return new Separation(coefficients, names, everyRowMoves, description);
    }
}

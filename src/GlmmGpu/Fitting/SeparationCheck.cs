using System.Runtime.CompilerServices;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting;

/// <summary>
/// Separation: a direction d of the fixed effects along which the likelihood never stops rising, found after a fit or
/// where the GLM start broke down. It is proved, not guessed: d must move every row's fitted mean only towards that
/// row's own extreme (a binomial 0 towards probability 0, a count of 0 towards rate 0) and leave every other row alone,
/// so that each row's likelihood, and with it the marginal likelihood, rises along d for ever: the estimates along d
/// run off to infinity.
/// </summary>
internal static class SeparationCheck
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

    /// <summary>A separation of the response by the fixed effects: the coefficients along the direction, whether
    /// every row moves (complete) or some stay (quasi-complete), and what the user is told.</summary>
    public sealed record Separation(int[] Coefficients, string[] Names, bool Complete, string Description);

    /// <summary>
    /// The separation of the response by the fixed effects that the estimates <paramref name="beta"/> have run along,
    /// or null where they show none. Candidates: beta itself, and against it (complete separation: every row's fitted
    /// mean already on its own side), then the part of beta the rows away from their extremes do not determine
    /// (quasi-complete). <paramref name="atBoundary"/> marks the rows whose fitted mean, random effects included, is at
    /// its own extreme (<see cref="BoundaryTest"/>); <paramref name="modes"/> (by level, null for none) give it where
    /// the caller has not.
    /// </summary>
    public static Separation? Find(ModelFrame frame, double[] beta, bool[]? atBoundary, RandomEffectsModes? modes = null, ParallelOptions? parallel = null)
    {
        var kind = KindOf(frame);
        if (kind == RunOff.None || beta.Length == 0) return null;
        if (CompleteSeparation(frame, kind, beta) is { } complete) return complete;
        atBoundary ??= BoundaryRows(frame, beta, modes, parallel ?? new ParallelOptions());
        // No row at its extreme: the rows' columns determine every direction (the frame's X has full rank).
        if (!atBoundary.Contains(true)) return null;
        return Certify(frame, kind, NotDetermined(frame, beta, atBoundary), complete: false);
    }

    /// <summary>The rows whose fitted mean at the linear predictor <paramref name="eta"/> (random effects included) is at
    /// its response's extreme (<see cref="BoundaryTest"/>); null where no row of the model can be.</summary>
    public static bool[]? RowsAtBoundary<TModel>(ModelFrame frame, double[] eta) where TModel : struct, IRowLikelihood
    {
        if (BoundaryTest.For<TModel>(frame) is not { } test) return null;
        var at = new bool[frame.RowCount];
        for (int i = 0; i < at.Length; i++) at[i] = test.IsAt(frame.Response[i], frame.Weights[i], eta[i]);
        return at;
    }

    /// <summary>The rows at their own extreme, from the Pearson residuals' pass over the rows (which forms the same
    /// linear predictor), its residuals discarded; no random effects where <paramref name="modes"/> is null.</summary>
    private static bool[] BoundaryRows(ModelFrame frame, double[] beta, RandomEffectsModes? modes, ParallelOptions parallel)
    {
        var block = frame.RandomEffects[0];
        modes ??= new RandomEffectsModes(block.GroupingFactor, block.TermNames, block.Levels,
            Enumerable.Range(0, block.LevelCount).Select(_ => new double[block.Q]).ToArray(), []);
        var pass = new ResultBuilder.PearsonVisitor(frame, block, modes, beta, 1.0, parallel, flagBoundary: true);
        RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, pass);
        return pass.AtBoundary!;
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
    public static bool Report(ModelFrame frame, double[] beta, bool[]? atBoundary, RandomEffectsModes? modes, double[,] covariance, List<string> messages, ParallelOptions? parallel = null)
    {
        if (Find(frame, beta, atBoundary, modes, parallel) is not { } separation) return false;
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
    public static GlmmException StartFailure(ModelFrame frame, double[] beta, ParallelOptions parallel)
    {
        if ((Find(frame, beta, null, parallel: parallel) ?? SingleColumnSeparation(frame, KindOf(frame))) is { } separation) return Unfittable(frame, separation);
        if (OutcomeChecks.UnreachableResponse(frame) is { } unreachable) return new GlmmException(StartFailed + unreachable);
        return new GlmmException(StartFailed + "the weighted design matrix is singular");
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
    private static double Side(RunOff kind, double y, double w)
    {
        if (!(w > 0)) return double.NaN;
        return kind switch
        {
            RunOff.Binomial => y == 0 ? -1 : y == w ? 1 : 0,
            RunOff.Counts => y == 0 ? -1 : 0,
            _ => y <= 0 ? -1 : 0,
        };
    }

    private static double Side(ModelFrame frame, RunOff kind, int i) => Side(kind, frame.Response[i], frame.Weights[i]);

    /// <summary>
    /// Whether a row's fitted mean is at the extreme its response sits at: within <see cref="BoundaryMean"/> of it (a
    /// Gaussian mean relative to the response's mean absolute size), tested on the linear predictor against the values
    /// at which the mean reaches those bounds (the links here increase with eta), so that no row takes an exp.
    /// </summary>
    public readonly struct BoundaryTest
    {
        private readonly RunOff kind;
        private readonly double low, high;

        private BoundaryTest(RunOff kind, double low, double high)
        {
            this.kind = kind;
            this.low = low;
            this.high = high;
        }

        /// <summary>The test for the frame's model, or null where no row can run off.</summary>
        public static BoundaryTest? For<TModel>(ModelFrame frame) where TModel : struct, IRowLikelihood
        {
            var kind = KindOf(frame);
            if (kind == RunOff.None) return null;
            double unit = 1.0;
            if (frame.Family == FamilyKind.Gaussian)
            {
                double sum = 0;
                for (int i = 0; i < frame.RowCount; i++) sum += Math.Abs(frame.Response[i]);
                unit = sum > 0 ? sum / frame.RowCount : 1.0;
            }
            double high = kind == RunOff.Binomial ? EtaWhereMeanIs<TModel>(1 - BoundaryMean) : double.PositiveInfinity;
            return new BoundaryTest(kind, EtaWhereMeanIs<TModel>(BoundaryMean * unit), high);
        }

        /// <summary>Rows with the mean well inside (most of them) answer with one comparison each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool IsAt(double y, double w, double eta)
        {
            if (eta >= low && eta <= high) return false;
            double side = Side(kind, y, w);
            return side < 0 ? eta < low : side > 0 && eta > high;
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
    private static double[] NotDetermined(ModelFrame frame, double[] beta, bool[] atBoundary)
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

using GlmmGpu.Fitting.Bayes.Sampling;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Fitting.Bayes.Grid;

/// <summary>
/// Laplace's method over the fixed effects at given values of the variance parameters (the unconstrained z beyond
/// beta, as <see cref="PosteriorTransform"/> lays them out): Newton's method on the log posterior in beta, the Hessian
/// by forward differences of the exact gradient, every point's iterations in lockstep so that each round is one batch
/// of the engine (each point and its p differenced neighbours, evaluated together). A step that lowers the log
/// posterior is halved. The result at each point is <see cref="ConditionalGaussian"/>.
/// </summary>
internal sealed class ConditionalFixedEffects(IBatchDensity density, int fixedCount, int dimension)
{
    /// <summary>Newton's decrement g' H^-1 g below which beta is at its mode (the log posterior within 1e-10 of its top).</summary>
    private const double DecrementTolerance = 1e-10;
    private const int MaxRounds = 100;
    private const int MaxHalvings = 30;
    /// <summary>Points per batch: bounds the engine's batch at this many times p + 1 parameter vectors.</summary>
    private const int PointsPerBatch = 64;

    private readonly int p = fixedCount;

    /// <summary>Evaluations of the log posterior so far (points, not batches).</summary>
    public long Evaluations { get; private set; }

    /// <param name="variances">Each point's variance parameters (length dimension - p).</param>
    /// <param name="betaStarts">Where each point's Newton iterations start.</param>
    /// <param name="withSkewness">Also correct each Gaussian for skewness (<see cref="ConditionalSkewness"/>): what the
    /// grid's points need, not the mode's search.</param>
    public ConditionalGaussian[] Solve(IReadOnlyList<double[]> variances, IReadOnlyList<double[]> betaStarts, bool withSkewness = false)
    {
        var results = new ConditionalGaussian[variances.Count];
        for (int from = 0; from < variances.Count; from += PointsPerBatch)
        {
            int count = Math.Min(PointsPerBatch, variances.Count - from);
            SolveBatch(variances, betaStarts, from, count, results);
        }
        return withSkewness ? WithSkewness(variances, results) : results;
    }

    /// <summary>The conditionals corrected for skewness (<see cref="ConditionalSkewness"/>), in batches.</summary>
    public ConditionalGaussian[] WithSkewness(IReadOnlyList<double[]> variances, ConditionalGaussian[] conditionals)
    {
        var results = new ConditionalGaussian[conditionals.Length];
        for (int from = 0; from < conditionals.Length; from += PointsPerBatch)
        {
            int count = Math.Min(PointsPerBatch, conditionals.Length - from);
            var corrected = ConditionalSkewness.Apply(density, dimension, variances.Skip(from).Take(count).ToList(), conditionals[from..(from + count)], out long used);
            corrected.CopyTo(results, from);
            Evaluations += used;
        }
        return results;
    }

    private sealed class PointState
    {
        public required double[] Variance;
        public required double[] Beta;
        public double[] Step = [];
        public double[]? AcceptedBeta;
        public double AcceptedLogDensity = double.NegativeInfinity;
        public double[] AcceptedGradient = [];
        public double[,]? AcceptedFactor;
        public double[,]? AcceptedHessian;
        public double AcceptedDecrement = double.PositiveInfinity;
        public int Halvings;
        public ConditionalGaussian? Result;
    }

    private void SolveBatch(IReadOnlyList<double[]> variances, IReadOnlyList<double[]> betaStarts, int from, int count, ConditionalGaussian[] results)
    {
        var states = new PointState[count];
        for (int k = 0; k < count; k++)
            states[k] = new PointState { Variance = variances[from + k], Beta = (double[])betaStarts[from + k].Clone() };
        var requests = new List<EvaluationRequest>();
        for (int round = 0; round < MaxRounds; round++)
        {
            var live = states.Where(s => s.Result is null).ToArray();
            if (live.Length == 0) break;
            while (requests.Count < live.Length * (p + 1)) requests.Add(new EvaluationRequest(dimension));
            var steps = new double[live.Length][];
            for (int k = 0; k < live.Length; k++)
            {
                steps[k] = new double[p];
                for (int j = 0; j < p; j++) steps[k][j] = 1e-5 * Math.Max(1.0, Math.Abs(live[k].Beta[j]));
                for (int d = 0; d <= p; d++)
                {
                    var position = requests[k * (p + 1) + d].Position;
                    live[k].Beta.CopyTo(position, 0);
                    live[k].Variance.CopyTo(position, p);
                    if (d > 0) position[d - 1] += steps[k][d - 1];
                }
            }
            var batch = requests.GetRange(0, live.Length * (p + 1));
            density.Evaluate(batch);
            Evaluations += batch.Count;
            for (int k = 0; k < live.Length; k++)
                Advance(live[k], batch.GetRange(k * (p + 1), p + 1), steps[k]);
        }
        for (int k = 0; k < count; k++)
            results[from + k] = states[k].Result ?? Finish(states[k], converged: false);
    }

    /// <summary>One Newton round for one point, from its evaluation and its differenced neighbours'.</summary>
    private void Advance(PointState s, List<EvaluationRequest> evaluated, double[] steps)
    {
        var centre = evaluated[0];
        double lp = centre.LogDensity;
        bool worse = s.AcceptedBeta is not null && lp < s.AcceptedLogDensity - 1e-12 * Math.Max(1.0, Math.Abs(s.AcceptedLogDensity));
        if (!double.IsFinite(lp) || worse)
        {
            // Within noise of the mode already: finish there rather than halve forever.
            if (s.AcceptedDecrement < 1e-6 || s.AcceptedBeta is null || s.Halvings >= MaxHalvings)
            {
                s.Result = Finish(s, converged: s.AcceptedBeta is not null && s.AcceptedDecrement < 1e-6);
                return;
            }
            s.Halvings++;
            for (int j = 0; j < p; j++)
            {
                s.Step[j] *= 0.5;
                s.Beta[j] = s.AcceptedBeta[j] + s.Step[j];
            }
            return;
        }
        var gradient = centre.Gradient.AsSpan(0, p).ToArray();
        var hessian = new double[p, p];
        for (int j = 0; j < p; j++)
            for (int i = 0; i < p; i++)
                hessian[i, j] = -(evaluated[j + 1].Gradient[i] - gradient[i]) / steps[j];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++)
                hessian[i, j] = hessian[j, i] = 0.5 * (hessian[i, j] + hessian[j, i]);
        var factor = Dense.Cholesky(hessian);
        double[] newton;
        double decrement;
        if (factor is not null)
        {
            newton = Dense.Solve(factor, gradient);
            decrement = 0;
            for (int i = 0; i < p; i++) decrement += gradient[i] * newton[i];
        }
        else
        {
            // Not concave here: a step along the gradient scaled by the diagonal's size, and no convergence yet.
            newton = new double[p];
            for (int i = 0; i < p; i++) newton[i] = Math.Clamp(gradient[i] / Math.Max(Math.Abs(hessian[i, i]), 1e-8), -1.0, 1.0);
            decrement = double.PositiveInfinity;
        }
        s.AcceptedBeta = (double[])s.Beta.Clone();
        s.AcceptedLogDensity = lp;
        s.AcceptedGradient = gradient;
        s.AcceptedFactor = factor;
        s.AcceptedHessian = hessian;
        s.AcceptedDecrement = decrement;
        s.Halvings = 0;
        if (decrement < DecrementTolerance)
        {
            s.Result = Finish(s, converged: true);
            return;
        }
        s.Step = newton;
        for (int j = 0; j < p; j++) s.Beta[j] += newton[j];
    }

    /// <summary>The Gaussian at the last accepted point, its mean one Newton step on (the quadratic's top, whose
    /// height the log density includes).</summary>
    private ConditionalGaussian Finish(PointState s, bool converged)
    {
        if (s.AcceptedBeta is null || s.AcceptedFactor is null || s.AcceptedHessian is null) return ConditionalGaussian.Failed(p);
        var l = s.AcceptedFactor;
        var newton = Dense.Solve(l, s.AcceptedGradient);
        var mean = new double[p];
        double decrement = 0, logDet = 0;
        for (int i = 0; i < p; i++)
        {
            mean[i] = s.AcceptedBeta[i] + newton[i];
            decrement += s.AcceptedGradient[i] * newton[i];
            logDet += 2 * Math.Log(l[i, i]);
        }
        var covariance = Dense.InverseSpd(s.AcceptedHessian)!;
        double logDensity = s.AcceptedLogDensity + 0.5 * decrement + 0.5 * p * Math.Log(2 * Math.PI) - 0.5 * logDet;
        return new ConditionalGaussian(mean, covariance, logDensity, converged);
    }
}

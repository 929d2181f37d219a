using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.LinearAlgebra.Blocked;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// The Laplace approximation to a GLMM's log-likelihood with several grouping factors, as glmer's nAGQ = 1: penalised
/// iteratively reweighted least squares (PIRLS) finds the conditional mode u of the spherical effects, each step one
/// solve of the blocked system with the weights -d2 log f / d eta2 (the row likelihood's own derivatives, so every
/// family and link the single-factor path takes), and
/// <c>log L = sum log f(y | eta(u)) - |u|^2 / 2 - log |Lambda'Z'WZ Lambda + I| / 2</c> at the mode. With
/// <c>estimateFixed</c> the fixed effects join the modes in PIRLS (glmer's first stage); otherwise they are given.
/// The last mode (and, with <c>estimateFixed</c>, the last fixed effects) start the next solve; the last point asked for
/// again is answered from memory.
/// </summary>
internal sealed class CrossedLaplaceDeviance<TModel> where TModel : struct, IRowLikelihood
{
    private const int MaxSteps = 60;
    private readonly ModelFrame frame;
    private readonly CrossedTerms terms;
    private readonly BlockedCrossProducts withFixed, modesOnly;
    private readonly BlockedCholesky withFixedFactor;
    private readonly double constant;
    private readonly double[] eta, weights, working, fixedPart;
    private double[] u;

    /// <summary>The factor at the last mode's weights: its inverse blocks give the conditional covariances.</summary>
    public BlockedCholesky ModeFactor { get; }
    /// <summary>The spherical modes at the last evaluation.</summary>
    public double[] Modes => u;
    /// <summary>The linear predictor at the last evaluation's mode.</summary>
    public double[] Eta => eta;
    /// <summary>The fixed effects PIRLS found at the last evaluation with <c>estimateFixed</c>.</summary>
    public double[] Beta { get; private set; }
    /// <summary>(X'WX - Lx'Lx)^-1 at the last evaluation with <c>estimateFixed</c>: the fixed effects' scale.</summary>
    public double[,]? FixedInverse { get; private set; }
    public int Evaluations { get; private set; }

    private readonly bool hasDispersion;
    private readonly ParallelOptions parallel;

    public CrossedLaplaceDeviance(ModelFrame frame, CrossedTerms terms, ParallelOptions parallel)
    {
        this.parallel = parallel;
        hasDispersion = FamilyNames.HasDispersion(frame.Family);
        this.frame = frame;
        this.terms = terms;
        int n = frame.RowCount;
        withFixed = new BlockedCrossProducts(terms.Pattern, frame.P);
        modesOnly = new BlockedCrossProducts(terms.Pattern, 0);
        withFixedFactor = new BlockedCholesky(terms.Pattern, withFixed.Augmented, parallel);
        ModeFactor = new BlockedCholesky(terms.Pattern, 1, parallel);
        double c = 0;
        for (int i = 0; i < n; i++) c += default(TModel).Constant(frame.Response[i], frame.Weights[i]);
        constant = c;
        eta = new double[n];
        weights = new double[n];
        working = new double[n];
        fixedPart = new double[n];
        u = new double[terms.Pattern.FirstSize + terms.Pattern.RestSize];
        Beta = new double[frame.P];
    }

    /// <summary>The Laplace log-likelihood at (beta, theta, phi); with <paramref name="estimateFixed"/> beta is only the
    /// start and the fixed effects that maximise the penalised likelihood are used (and kept in <see cref="Beta"/>).
    /// NaN where PIRLS fails.</summary>
    public double LogLikelihood(ReadOnlySpan<double> beta, ReadOnlySpan<double> theta, double phi, bool estimateFixed)
    {
        // The point of the last evaluation again (BFGS's first point after its caller's, the first stage's minimiser):
        // its value, modes and factor are kept.
        if (last is { } known && known.EstimateFixed == estimateFixed && known.Phi.Equals(phi) && theta.SequenceEqual(known.Theta)
            && (estimateFixed || beta.SequenceEqual(known.Beta)))
            return known.Value;
        Evaluations++;
        last = null;
        int n = frame.RowCount, p = frame.P;
        var lambda = terms.Lambda(theta);
        var b = beta.ToArray();
        var start = u;
        double objective = Penalised(b, start, lambda, phi);
        if (!double.IsFinite(objective))
        {
            // The last mode is no start here: begin again from u = 0.
            start = new double[u.Length];
            objective = Penalised(b, start, lambda, phi);
            if (!double.IsFinite(objective)) return double.NaN;
        }
        for (int step = 0; step < MaxSteps; step++)
        {
            // The Newton step is the penalised least-squares solution with weights -l'' and working response
            // eta - offset (- X beta when beta is given) + l' / w.
            FixedPart(b);
            RowChunks.For(n, parallel, (first, end) =>
            {
                for (int i = first; i < end; i++)
                {
                    default(TModel).Derivatives(frame.Response[i], frame.Weights[i], eta[i], phi, out var d);
                    double w = Math.Max(-d.L2, 1e-12);
                    weights[i] = w;
                    double linear = eta[i] - frame.Offset[i] - (estimateFixed ? 0 : fixedPart[i]);
                    working[i] = linear + d.L1 / w;
                }
            });
            double[] nextBeta = b, nextU;
            if (estimateFixed)
            {
                withFixed.Fill(weights, frame.X, working, parallel);
                if (!withFixedFactor.Factor(withFixed, lambda)) return double.NaN;
                var (solved, inverse) = FixedEffects(withFixedFactor, p);
                if (solved is null) return double.NaN;
                nextBeta = solved;
                FixedInverse = inverse;
                nextU = withFixedFactor.Modes(nextBeta);
            }
            else
            {
                modesOnly.Fill(weights, ReadOnlyMemory<double>.Empty, working, parallel);
                if (!ModeFactor.Factor(modesOnly, lambda)) return double.NaN;
                nextU = ModeFactor.Modes(ReadOnlySpan<double>.Empty);
            }
            // Step halving until the penalised log-likelihood does not fall.
            double next = double.NegativeInfinity, t = 1.0;
            double[] candidateBeta = nextBeta, candidateU = nextU;
            for (int halving = 0; halving < 30; halving++)
            {
                candidateBeta = Between(b, nextBeta, t);
                candidateU = Between(start, nextU, t);
                next = Penalised(candidateBeta, candidateU, lambda, phi);
                if (next >= objective - 1e-12 * Math.Abs(objective)) break;
                t /= 2;
            }
            if (!(next >= objective - 1e-12 * Math.Abs(objective))) return double.NaN;
            double change = next - objective;
            b = candidateBeta;
            start = candidateU;
            objective = next;
            if (change < 1e-11 * (1 + Math.Abs(objective)) && step > 0) break;
        }
        // eta is the accepted point's: the last penalised likelihood formed it.
        u = start;
        if (estimateFixed) Beta = b;
        // log |Lambda'Z'WZ Lambda + I| at the mode's own weights.
        RowChunks.For(n, parallel, (first, end) =>
        {
            for (int i = first; i < end; i++)
            {
                default(TModel).Derivatives(frame.Response[i], frame.Weights[i], eta[i], phi, out var d);
                weights[i] = Math.Max(-d.L2, 1e-12);
                working[i] = 0;
            }
        });
        // With the fixed effects inside, the factor is bordered by X: the same log|A|, and the bordered system the
        // gradient's adjoint solves.
        var products = estimateFixed ? withFixed : modesOnly;
        var factor = estimateFixed ? withFixedFactor : ModeFactor;
        products.Fill(weights, estimateFixed ? frame.X : ReadOnlyMemory<double>.Empty, working, parallel);
        if (!factor.Factor(products, lambda)) return double.NaN;
        double logLik = objective - factor.LogDeterminant / 2;
        last = new LastEvaluation(estimateFixed ? [] : beta.ToArray(), theta.ToArray(), phi, estimateFixed, factor, logLik);
        return logLik;
    }

    private sealed record LastEvaluation(double[] Beta, double[] Theta, double Phi, bool EstimateFixed, BlockedCholesky Factor, double Value)
    {
        /// <summary>The gradient once computed at this evaluation.</summary>
        public double[]? Gradient { get; set; }
    }

    private LastEvaluation? last;

    /// <summary>The exact gradient (<see cref="CrossedLaplaceGradient"/>) at the last evaluation: in theta after one
    /// with the fixed effects estimated, else in (beta, theta[, log phi]). False where it does not apply (a term's
    /// factor near singular, or no successful evaluation).</summary>
    public bool TryGradient(Span<double> gradient)
    {
        if (last is null) return false;
        if (last.Gradient is { } known && known.Length == gradient.Length)
        {
            known.CopyTo(gradient);
            return true;
        }
        var lambda = terms.Lambda(last.Theta);
        if (!CrossedLaplaceGradient.TryCompute<TModel>(frame, terms, lambda, last.Phi, eta, u, last.Factor, last.EstimateFixed,
            hasDispersion, parallel, gradient)) return false;
        last.Gradient = gradient.ToArray();
        return true;
    }

    /// <summary>The fixed effects from the Schur complement over [X z], and its inverse.</summary>
    private static (double[]? Beta, double[,]? Inverse) FixedEffects(BlockedCholesky factor, int p)
    {
        int pa = p + 1;
        var schur = new double[p, p];
        var rhs = new double[p];
        for (int a = 0; a < p; a++)
        {
            for (int c = 0; c < p; c++) schur[a, c] = factor.Schur[a * pa + c];
            rhs[a] = factor.Schur[p * pa + a];
        }
        var l = Dense.Cholesky(schur);
        if (l is null) return (null, null);
        return (Dense.Solve(l, rhs), Dense.InverseSpd(schur));
    }

    private static double[] Between(double[] from, double[] to, double t)
    {
        if (t == 1.0) return to;
        var x = new double[from.Length];
        for (int i = 0; i < x.Length; i++) x[i] = from[i] + t * (to[i] - from[i]);
        return x;
    }

    private void FixedPart(double[] beta)
    {
        int n = frame.RowCount;
        RowChunks.For(n, parallel, (first, end) =>
        {
            Array.Clear(fixedPart, first, end - first);
            for (int a = 0; a < beta.Length; a++)
            {
                double ba = beta[a];
                var column = frame.X.AsSpan(a * n, n);
                for (int i = first; i < end; i++) fixedPart[i] += column[i] * ba;
            }
        });
    }

    /// <summary>sum log f(y | eta) - |u|^2 / 2 (the y-only constants included), with eta formed into <see cref="Eta"/>.</summary>
    private double Penalised(double[] beta, double[] spherical, Mat3[] lambda, double phi)
    {
        int n = frame.RowCount;
        FixedPart(beta);
        var modes = terms.Modes(spherical, lambda);
        double sum = constant + RowChunks.Sum(n, parallel, (first, end) =>
        {
            for (int i = first; i < end; i++) eta[i] = frame.Offset[i] + fixedPart[i];
            for (int k = 0; k < terms.Blocks.Length; k++)
            {
                var block = terms.Blocks[k];
                for (int i = first; i < end; i++)
                {
                    var bk = modes[k][block.LevelOfRow[i]];
                    for (int d = 0; d < block.Q; d++) eta[i] += block.Z[(long)d * n + i] * bk[d];
                }
            }
            double chunk = 0;
            for (int i = first; i < end; i++)
            {
                default(TModel).Evaluate(frame.Response[i], frame.Weights[i], eta[i], phi, out var d);
                chunk += d.L;
            }
            return chunk;
        });
        double uu = 0;
        foreach (var x in spherical) uu += x * x;
        return double.IsFinite(sum) ? sum - uu / 2 : double.NaN;
    }
}

using GlmmGpu.Fitting.Glm;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// Laplace fits (glmer's nAGQ = 1) with several grouping factors, in glmer's two stages: theta with the fixed effects
/// found by PIRLS beside the modes, then (beta, theta, log phi) together, each by BFGS on the Laplace log-likelihood
/// (<see cref="CrossedLaplaceDeviance{TModel}"/>) with its exact gradient (<see cref="CrossedLaplaceGradient"/>;
/// differenced where a term's factor is near singular). Standard errors come from the Hessian over all parameters, by
/// differences of the exact gradient (of values where it does not apply), as glmer's come from a differenced Hessian.
/// </summary>
internal static class CrossedLaplaceEstimator
{
    public static FitResult Fit(ModelFrame frame, FitOptions options) =>
        RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new Visitor(frame, options));

    private sealed class Visitor(ModelFrame frame, FitOptions options) : IRowLikelihoodVisitor<FitResult>
    {
        public FitResult Visit<TModel>() where TModel : struct, IRowLikelihood => Fit<TModel>(frame, options);
    }

    private static FitResult Fit<TModel>(ModelFrame frame, FitOptions options) where TModel : struct, IRowLikelihood
    {
        var recorder = new FitRecorder(options) { Start = new FitStart(StartKind.Glm) };
        CrossedDevice.Record(recorder, options);
        var terms = new CrossedTerms(frame);
        var parallel = options.Execution.Parallel;
        bool hasDispersion = FamilyNames.HasDispersion(frame.Family);
        if (hasDispersion)
            foreach (var block in frame.RandomEffects)
                Linear.ResidualIdentifiability.Check(frame, block, "drop the random term, or give fewer effects per group");
        Diagnostics.Begin($"GLM start ({frame.P} fixed effects)");
        var glm = GlmStart.Fit<TModel>(frame, parallel);
        recorder.Phase("GLM start");

        int p = frame.P, nTheta = terms.ThetaCount, count = p + nTheta + (hasDispersion ? 1 : 0);
        var laplace = new CrossedLaplaceDeviance<TModel>(frame, terms, parallel);
        // lme4's start: Lambda at the identity, on the response scale for a Gaussian identity model.
        double diagonal = frame.Family == FamilyKind.Gaussian && frame.Link == LinkKind.Identity ? glm.Phi : 1.0;
        var theta0 = terms.IdentityTheta().Select(t => t * diagonal).ToArray();
        double phi0 = hasDispersion ? glm.Phi : 1.0;

        // Stage 1: theta alone, the fixed effects estimated with the modes.
        var trail1 = recorder.Progress("fitting (theta)");
        // PIRLS starts the fixed effects where the last evaluation left them, beside its modes (the GLM's at first).
        bool warm = false;
        double Stage1(double[] theta)
        {
            double value = laplace.LogLikelihood(warm ? laplace.Beta : glm.Beta, theta, phi0, estimateFixed: true);
            warm |= double.IsFinite(value);
            return -value;
        }
        var stage1 = Bfgs.Minimize(ExactObjective.Of(Stage1, NegatedGradient(laplace)),
            theta0, options.MaxIterations, 1e-6, (i, f) => trail1(i, -f), ThetaScale(terms, theta0));
        Stage1(stage1.Minimizer);
        recorder.Phase($"Laplace with the fixed effects profiled ({stage1.Evaluations} iterations' evaluations)");

        // Stage 2: all parameters.
        var psi0 = new double[count];
        Array.Copy(laplace.Beta, psi0, p);
        Array.Copy(stage1.Minimizer, 0, psi0, p, nTheta);
        if (hasDispersion) psi0[count - 1] = Math.Log(phi0);
        var h0 = new double[count, count];
        var fixedScale = laplace.FixedInverse ?? glm.InverseInformation;
        for (int a = 0; a < p; a++)
            for (int c = 0; c < p; c++) h0[a, c] = fixedScale[a, c];
        var thetaScale = ThetaScale(terms, stage1.Minimizer);
        for (int t = 0; t < nTheta; t++) h0[p + t, p + t] = thetaScale[t, t];
        if (hasDispersion) h0[count - 1, count - 1] = 2.0 / frame.RowCount;
        double NegativeLogLik(double[] psi) =>
            -laplace.LogLikelihood(psi.AsSpan(0, p), psi.AsSpan(p, nTheta), hasDispersion ? Math.Exp(psi[count - 1]) : 1.0, estimateFixed: false);
        var trail2 = recorder.Progress("fitting");
        var objective = ExactObjective.Of(NegativeLogLik, NegatedGradient(laplace));
        double f0 = objective(psi0, new double[count]);
        var summary = Bfgs.Minimize(objective, psi0, options.MaxIterations, Math.Max(1e-9, 1e-13 * Math.Abs(f0)), (i, f) => trail2(i, -f), h0);
        var psi = summary.Minimizer;
        recorder.Phase($"Laplace ({summary.Iterations} iterations)");

        Diagnostics.Begin($"standard errors ({count} parameters, differenced Hessian)");
        var hessian = GradientHessian(NegativeLogLik, NegatedGradient(laplace), psi) ?? DifferencedHessian(NegativeLogLik, psi);
        recorder.Phase("standard errors");
        double logLik = laplace.LogLikelihood(psi.AsSpan(0, p), psi.AsSpan(p, nTheta), hasDispersion ? Math.Exp(psi[count - 1]) : 1.0, estimateFixed: false);
        var lambda = terms.Lambda(psi.AsSpan(p, nTheta));
        double phi = hasDispersion ? Math.Exp(psi[count - 1]) : 1.0;
        var modes = terms.Modes(laplace.Modes, lambda);
        var covariances = terms.ConditionalCovariances(laplace.ModeFactor.InverseDiagonalBlocks(), lambda, 1.0);
        var residuals = new double[frame.RowCount];
        for (int i = 0; i < residuals.Length; i++)
            residuals[i] = default(TModel).PearsonResidual(frame.Response[i], frame.Weights[i], laplace.Eta[i], phi);
        var atBoundary = SeparationCheck.RowsAtBoundary<TModel>(frame, laplace.Eta);
        recorder.Phase("conditional modes");

        var messages = FitChecks.FrameMessages(frame);
        var singularTerms = terms.SingularTerms(lambda, frame.Family == FamilyKind.Gaussian ? phi : 1.0);
        bool singular = singularTerms.Count > 0;
        if (singular) messages.Add(CrossedResult.SingularMessage(singularTerms));
        var covariance = FixedCovariance(hessian, psi, p, terms, out string? hessianProblem);
        // Separation first, as the single-factor fit checks it: the estimates along it and their SEs mean nothing.
        bool separated = atBoundary is not null && SeparationCheck.Report(frame, psi[..p], atBoundary, null, covariance, messages);
        bool converged = !separated && summary.Converged && hessianProblem is null && double.IsFinite(logLik);
        if (!summary.Converged) messages.Add(FitChecks.NotConverged + summary.Message);
        if (hessianProblem is not null) messages.Add(FitChecks.NotConverged + hessianProblem);
        var record = recorder.Finish(psi0, psi, stage1.Iterations + summary.Iterations, laplace.Evaluations, summary.Message);
        var coefficients = CrossedResult.Coefficients(frame, psi[..p], covariance);
        return CrossedResult.Build(frame, terms, record, coefficients, covariance, lambda, 1.0, ResultBuilder.DispersionOf(frame.Family, phi),
            logLik, remlCriterion: null, parameterCount: count, converged, singular, terms.Ranef(modes, covariances), messages, nAgq: 1, residuals);
    }

    /// <summary>The gradient of the negative log-likelihood at the Laplace deviance's last evaluation.</summary>
    private static TryGradient NegatedGradient<TModel>(CrossedLaplaceDeviance<TModel> laplace) where TModel : struct, IRowLikelihood =>
        gradient =>
        {
            if (!laplace.TryGradient(gradient)) return false;
            for (int k = 0; k < gradient.Length; k++) gradient[k] = -gradient[k];
            return true;
        };

    /// <summary>The Hessian of the negative log-likelihood by central differences of its exact gradient (2 k
    /// evaluations where differences of values take 2 k^2); null where the exact gradient does not apply.</summary>
    private static double[,]? GradientHessian(Func<double[], double> negativeLogLik, TryGradient gradientOfLast, double[] x)
    {
        int n = x.Length;
        var h = new double[n, n];
        var up = new double[n];
        var down = new double[n];
        for (int j = 0; j < n; j++)
        {
            double step = 1e-4 * Math.Max(1.0, Math.Abs(x[j]));
            var point = (double[])x.Clone();
            point[j] = x[j] + step;
            if (!double.IsFinite(negativeLogLik(point)) || !gradientOfLast(up)) return null;
            point[j] = x[j] - step;
            if (!double.IsFinite(negativeLogLik(point)) || !gradientOfLast(down)) return null;
            for (int i = 0; i < n; i++) h[i, j] = (up[i] - down[i]) / (2 * step);
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) h[i, j] = h[j, i] = (h[i, j] + h[j, i]) / 2;
        return h;
    }

    /// <summary>The inverse Hessian guess for theta: theta^2 / levels per term (its levels inform a variance about as
    /// much as as many observations).</summary>
    private static double[,] ThetaScale(CrossedTerms terms, double[] theta)
    {
        var h = new double[theta.Length, theta.Length];
        for (int k = 0; k < terms.Blocks.Length; k++)
            for (int t = 0; t < terms.Layouts[k].ThetaCount; t++)
            {
                int at = terms.ThetaOffset[k] + t;
                double scale = Math.Max(Math.Abs(theta[at]), 0.05);
                h[at, at] = scale * scale / terms.Blocks[k].LevelCount;
            }
        return h;
    }

    /// <summary>The Hessian of the negative log-likelihood by central differences of its values.</summary>
    internal static double[,] DifferencedHessian(Func<double[], double> f, double[] x)
    {
        int n = x.Length;
        var h = new double[n, n];
        var step = x.Select(v => 2e-4 * Math.Max(1.0, Math.Abs(v))).ToArray();
        double f0 = f(x);
        var point = (double[])x.Clone();
        double At(int i, double si, int j, double sj)
        {
            Array.Copy(x, point, n);
            point[i] += si;
            point[j] += sj;
            return f(point);
        }
        for (int i = 0; i < n; i++)
        {
            double up = At(i, step[i], i, 0), down = At(i, -step[i], i, 0);
            h[i, i] = (up - 2 * f0 + down) / (step[i] * step[i]);
            for (int j = 0; j < i; j++)
            {
                double pp = At(i, step[i], j, step[j]), pm = At(i, step[i], j, -step[j]);
                double mp = At(i, -step[i], j, step[j]), mm = At(i, -step[i], j, -step[j]);
                h[i, j] = h[j, i] = (pp - pm - mp + mm) / (4 * step[i] * step[j]);
            }
        }
        return h;
    }

    /// <summary>The fixed effects' covariance, the beta block of the inverse Hessian over the parameters not at a
    /// boundary (a variance at zero is left out, as its column of Lambda does not move the likelihood to first order);
    /// <paramref name="problem"/> says why the optimum cannot be trusted, null when it can.</summary>
    private static double[,] FixedCovariance(double[,] hessian, double[] psi, int p, CrossedTerms terms, out string? problem)
    {
        problem = null;
        var kept = Enumerable.Range(0, psi.Length)
            .Where(i => i < p || i >= p + terms.ThetaCount || !(terms.IsDiagonal(i - p) && Math.Abs(psi[i]) < FitChecks.SingularTolerance))
            .ToList();
        // An off-diagonal theta of a column whose diagonal is at zero does nothing either.
        var sub = Dense.SubMatrix(hessian, kept);
        bool finite = true;
        foreach (var v in sub) finite &= double.IsFinite(v);
        var inverse = finite ? Dense.InverseSpd(sub) : null;
        var cov = new double[p, p];
        if (inverse is null)
        {
            problem = finite ? "the Hessian of the log-likelihood is not positive definite" : "the Hessian of the log-likelihood is not finite";
            for (int a = 0; a < p; a++)
                for (int c = 0; c < p; c++) cov[a, c] = double.NaN;
            return cov;
        }
        for (int a = 0; a < p; a++)
            for (int c = 0; c < p; c++) cov[a, c] = inverse[a, c];
        return cov;
    }
}

using System.Diagnostics;
using GlmmGpu.Fitting.Glm;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.LinearAlgebra;
using GlmmGpu.Model;
using GlmmGpu.Engines.Ilgpu;

namespace GlmmGpu.Fitting;

/// <summary>
/// Maximum likelihood by Laplace or adaptive Gauss–Hermite quadrature: start from a GLM (with many clusters, from the
/// Laplace fit to a sample of them, <see cref="SampleStart"/>), maximise the approximated log-likelihood with BFGS on
/// its exact gradient, then take standard errors from the Hessian at the optimum (forward differences of the exact
/// gradient, or the quadrature rule's own curvature where that applies).
/// </summary>
internal static class MaximumLikelihoodEstimator
{
    private const double DecrementTolerance = 1e-7;
    /// <summary>The Laplace stage of an AGQ fit stops with its optimum known to about 0.03 SE (the decrement is about the
    /// sum of squared steps in SE units): the quadrature optimum lies further from it than that wherever the two
    /// differ, and polishing it further cost Laplace evaluations without changing the AGQ result (benchmarks/RESULTS.md).</summary>
    private const double LaplaceStageTolerance = 1e-3;

    public static FitResult Fit(ModelFrame frame, FitOptions options)
    {
        var recorder = new FitRecorder(options);
        Diagnostics.Mark("before fit");
        int nodes = options.Method == FitMethod.Laplace ? 1 : options.NAgq;
        var laplaceData = MarginalLikelihoodData.Create(frame, 1);
        QuadratureLimits.Check(nodes, laplaceData.Block);
        var layout = laplaceData.Layout;
        if (frame.Family == FamilyKind.Gaussian) Linear.ResidualIdentifiability.Check(frame, laplaceData.Block, Linear.ResidualIdentifiability.LinearModelRemedy);
        int iterations = 0, evaluations = 0;
        var trail = recorder.Progress("fitting");
        Action<int, double> progress = (iteration, f) => trail(iteration, -f);
        // One engine for the whole fit: the data go to the device once, and an AGQ fit's Laplace stage leaves its
        // modes there as the quadrature's first Newton starts. It is built (on a device: kernels compiled, rows
        // uploaded) while the start is found on the CPU. The CPU path's engine takes no time to build, and a fit
        // given one thread builds it first, on that thread.
        var execution = options.Execution;
        var building = execution.Device == DeviceChoice.Cpu || execution.Threads == 1
            ? Task.FromResult(Build(laplaceData, execution, nodes))
            : Task.Run(() => Build(laplaceData, execution, nodes));
        SampleStart.Start? sampled;
        (double[] Psi, double[,] InverseHessian)? glmFit = null;
        try
        {
            // Many clusters: start from the Laplace fit to a sample of them (SampleStart, on the CPU path), itself
            // started from the GLM fit to the sample; otherwise from the GLM fit to the whole data.
            sampled = options.StartFromSample ? SampleStart.TryFit(frame, options, laplaceData.ClusterCount) : null;
            if (sampled is null)
            {
                Diagnostics.Begin($"GLM start ({layout.P} fixed effects)");
                glmFit = GlmStartingPoint(frame, layout, laplaceData.ClusterCount, execution.Parallel);
            }
        }
        catch
        {
            building.ContinueWith(t => t.Result.Engine.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw;
        }
        using var engine = Built(building, recorder);
        recorder.Phase($"engine on {engine.Device}");
        var last = new LastEvaluation(engine);
        Bfgs.Objective objective = last.Objective;
        double[] psi0;
        double[,] h0;
        // The GLM start's values, to tell a variance parameter the optimizer never moved (null after a sample start).
        double[]? glmStart = null;
        if (sampled is not null)
        {
            psi0 = sampled.Psi;
            h0 = sampled.InverseHessian;
            recorder.Start = new FitStart(StartKind.ClusterSample, sampled.Clusters, sampled.Evaluations);
            recorder.Phase($"sample start (GLM and {sampled.Evaluations} evaluations on {sampled.Clusters} clusters)");
        }
        else
        {
            (psi0, h0) = glmFit!.Value;
            glmStart = psi0;
            recorder.Phase("GLM start");
            if (nodes > 1)
            {
                // As glmer does for nAGQ > 1: first the Laplace fit, a few times cheaper per evaluation, whose optimum
                // and curvature start the quadrature fit close to its own. The sample's Laplace fit stands in for it
                // where there is one: nearly as close a start, for a fraction of the Laplace stage's cost.
                var laplace = Bfgs.Minimize(objective, psi0, options.MaxIterations, LaplaceStageTolerance, progress, h0);
                iterations += laplace.Iterations;
                evaluations += laplace.Evaluations;
                if (laplace.Minimizer.All(double.IsFinite))
                {
                    psi0 = laplace.Minimizer;
                    h0 = laplace.InverseHessian;
                }
                recorder.Phase($"Laplace stage ({laplace.Evaluations} evaluations)");
            }
        }
        if (nodes > 1) engine.UseNodes(nodes);
        var gradient = new double[layout.Count];
        var initial = (double[])psi0.Clone();
        // The decrement g'H^-1 g is about the sum of (remaining step / SE)^2, whatever the size of the data: 1e-7
        // leaves every parameter within about 3e-4 SE of the optimum. A tighter, absolute tolerance chases the
        // rounding noise of a million-cluster sum and costs dozens of evaluations at 1e7 rows.
        var summary = Bfgs.Minimize(objective, psi0, options.MaxIterations, DecrementTolerance, progress, h0);
        summary = summary with { Iterations = summary.Iterations + iterations, Evaluations = summary.Evaluations + evaluations };
        var psi = summary.Minimizer;
        recorder.Phase($"BFGS ({summary.Evaluations} evaluations)");

        // The modes kept for the results must belong to the optimum: re-evaluate there unless the optimizer's last
        // trial was the optimum, as it is when the line search accepts its last point (one evaluation saved).
        if (!last.TryAt(psi, gradient, out double logLik)) logLik = engine.Evaluate(psi, gradient);
        var clusters = engine.Clusters.ToArray();
        var hessian = Hessian(engine, psi, gradient.Select(g => -g).ToArray(), layout.Count);
        recorder.Phase("Hessian");
        var messages = FitChecks.FrameMessages(frame);
        var lambda = layout.Lambda(psi);
        double phi = layout.Phi(psi);
        // A Gaussian model's Lambda is in response units: compare it with the residual SD, as lme4's relative theta is.
        bool singular = FitChecks.IsSingular(lambda, layout.Q, frame.Family == FamilyKind.Gaussian ? phi : 1.0);
        if (singular) messages.Add(FitChecks.SingularMessage);

        var kept = NotAtBoundary(layout, lambda);
        var covariance = FixedCovariance(hessian, layout, kept, messages);
        var ranef = ResultBuilder.Ranef(laplaceData, lambda, clusters);
        // The residuals' pass over the rows also marks those at their response's extreme, for the separation check.
        var pearson = new ResultBuilder.PearsonVisitor(frame, laplaceData.Block, ranef, psi, phi, execution.Parallel, flagBoundary: true);
        var residuals = RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, pearson);
        bool converged = CheckTrust(frame, layout, psi, logLik, glmStart, hessian, gradient, kept, summary, ranef, pearson.AtBoundary, covariance, messages);
        int stuck = clusters.Count(c => c.Status == Kernels.Clusters.ClusterStatus.NoConvergence);
        if (stuck > 0) messages.Add($"the conditional mode did not converge in {stuck} clusters");
        recorder.Phase("results");
        var record = recorder.Finish(initial, psi, summary.Iterations, summary.Evaluations, summary.Message);
        return ResultBuilder.Build(frame, laplaceData, psi, covariance, logLik, converged, singular, ranef, residuals, messages, record);
    }

    private static (IMarginalLikelihoodEngine Engine, string Reason) Build(MarginalLikelihoodData data, ExecutionOptions execution, int nodes)
    {
        var engine = EngineFactory.Create(data, execution, nodes, out var reason);
        return (engine, reason);
    }

    /// <summary>The engine <paramref name="building"/> made, its device and the reason for it noted in the record.</summary>
    private static IMarginalLikelihoodEngine Built(Task<(IMarginalLikelihoodEngine Engine, string Reason)> building, FitRecorder recorder)
    {
        try
        {
            var (engine, reason) = building.GetAwaiter().GetResult();
            recorder.Device = engine.Device;
            recorder.DeviceReason = reason;
            return engine;
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>The optimizer's objective, -log L and its gradient (the engine returns log L), remembering the point, log-likelihood and gradient of its latest evaluation.</summary>
    private sealed class LastEvaluation(IMarginalLikelihoodEngine engine)
    {
        private double[]? point;
        private double[] gradient = [];
        private double logLik;

        public double Objective(ReadOnlySpan<double> x, Span<double> g)
        {
            double f = NegativeLogLikelihood(engine, x, g);
            point = x.ToArray();
            // log L and its gradient, as the engine gave them (negation is exact); a log L that was not finite is
            // never reused (TryAt).
            gradient = new double[g.Length];
            for (int i = 0; i < g.Length; i++) gradient[i] = -g[i];
            logLik = double.IsFinite(f) ? -f : double.NaN;
            return f;
        }

        public bool TryAt(double[] x, Span<double> g, out double ll)
        {
            ll = logLik;
            if (point is null || gradient.Length != g.Length || !point.AsSpan().SequenceEqual(x) || !double.IsFinite(logLik)) return false;
            gradient.CopyTo(g);
            return true;
        }
    }

    /// <summary>The optimizer's objective (it minimises): -log L, with its gradient in <paramref name="g"/>, from the
    /// engine's log L and gradient; a log L that is not finite is +inf.</summary>
    internal static double NegativeLogLikelihood(IMarginalLikelihoodEngine engine, ReadOnlySpan<double> x, Span<double> g)
    {
        double ll = engine.Evaluate(x, g);
        for (int i = 0; i < g.Length; i++) g[i] = -g[i];
        return double.IsFinite(ll) ? -ll : double.PositiveInfinity;
    }

    private sealed class GlmVisitor(ModelFrame frame, ParallelOptions parallel) : IRowLikelihoodVisitor<GlmStart.Result>
    {
        public GlmStart.Result Visit<TModel>() where TModel : struct, IRowLikelihood => GlmStart.Fit<TModel>(frame, parallel);
    }

    /// <summary>The optimizer's start from the GLM fit to <paramref name="frame"/>: the point and the guess at its inverse Hessian.</summary>
    internal static (double[] Psi, double[,] InverseHessian) GlmStartingPoint(ModelFrame frame, ParameterLayout layout, int clusters, ParallelOptions parallel)
    {
        var glm = RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new GlmVisitor(frame, parallel));
        var psi = StartingValues(layout, glm, frame);
        return (psi, InitialInverseHessian(layout, glm, frame, clusters, psi));
    }

    private static double[] StartingValues(ParameterLayout layout, GlmStart.Result glm, ModelFrame frame)
    {
        var psi = new double[layout.Count];
        Array.Copy(glm.Beta, psi, layout.P);
        // lme4 starts the relative covariance factor at the identity; on the response scale of a Gaussian
        // model the same relative start is a multiple of the residual SD.
        double diag = frame.Family == FamilyKind.Gaussian && frame.Link == LinkKind.Identity ? glm.Phi : 1.0;
        for (int k = 0; k < layout.ThetaCount; k++)
            psi[layout.ThetaOffset + k] = layout.IsThetaDiagonal(k) ? diag : 0.0;
        if (layout.HasDispersion) psi[layout.DispersionIndex] = Math.Log(glm.Phi);
        return psi;
    }

    /// <summary>
    /// The optimizer's first guess at the inverse Hessian, so that each parameter starts on its own scale: the GLM's
    /// (X'WX)^-1 for the fixed effects (times sigma^2 for the Gaussian), theta_dd^2/G for the covariance parameters of column d
    /// (G clusters each inform it about as much as one observation of a variance), 2/n for log phi. BFGS
    /// corrects the guess from the first step on.
    /// </summary>
    private static double[,] InitialInverseHessian(ParameterLayout layout, GlmStart.Result glm, ModelFrame frame, int clusters, double[] psi0)
    {
        var h = new double[layout.Count, layout.Count];
        double scale = frame.Family == FamilyKind.Gaussian ? glm.Phi * glm.Phi : 1.0;
        for (int i = 0; i < layout.P; i++)
            for (int j = 0; j < layout.P; j++) h[i, j] = scale * glm.InverseInformation[i, j];
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            // Off-diagonal entries start at zero: give them the scale of their column's diagonal.
            var (_, col) = layout.ThetaPosition(k);
            double t = Math.Abs(psi0[layout.ThetaOffset + layout.ThetaIndex(col, col)]);
            h[layout.ThetaOffset + k, layout.ThetaOffset + k] = t * t / clusters;
        }
        if (layout.HasDispersion) h[layout.DispersionIndex, layout.DispersionIndex] = 2.0 / frame.RowCount;
        return h;
    }

    /// <summary>
    /// Hessian of the objective: from the quadrature rule itself where the engine has it
    /// (<see cref="QuadratureInformation.Applies"/>, the CPU path), in a few evaluations' time; otherwise by forward
    /// differences of the exact gradient, symmetrised: one point per parameter (the gradient at the optimum is
    /// known), all evaluated in one pass over the rows and each from the optimum's conditional modes, with a
    /// truncation error of order 1e-5 relative, far inside what standard errors need.
    /// </summary>
    internal static double[,] Hessian(IMarginalLikelihoodEngine engine, double[] psi, double[] gradientAtPsi, int n)
    {
        var h = new double[n, n];
        // Asked before any differenced evaluation moves the engine's modes away from psi.
        if (engine.TryRuleHessian(psi, h))
        {
            Diagnostics.Mark("Hessian from the quadrature rule");
            return h;
        }
        Diagnostics.Begin($"standard errors ({n} differenced points in one pass)");
        var points = new double[n * n];
        var steps = new double[n];
        for (int i = 0; i < n; i++)
        {
            steps[i] = 1e-5 * Math.Max(1.0, Math.Abs(psi[i]));
            psi.CopyTo(points, i * n);
            points[i * n + i] = psi[i] + steps[i];
        }
        var logLiks = new double[n];
        var gradients = new double[n * n];
        engine.EvaluateMany(points, logLiks, gradients);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                // The objective is -log L, so its gradient is the engine's negated.
                h[j, i] = (-gradients[i * n + j] - gradientAtPsi[j]) / steps[i];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
            {
                double s = 0.5 * (h[i, j] + h[j, i]);
                h[i, j] = s;
                h[j, i] = s;
            }
        Diagnostics.Mark($"Hessian ({n} differenced points in one pass)");
        return h;
    }

    /// <summary>The parameters the likelihood is curved in: all but the covariance parameters of a column whose
    /// variance sits at zero, where the likelihood is flat (as lme4 holds them fixed at a boundary).</summary>
    private static List<int> NotAtBoundary(ParameterLayout layout, Kernels.Numerics.Mat3 lambda)
    {
        var keep = new List<int>();
        for (int i = 0; i < layout.Count; i++)
        {
            if (i >= layout.ThetaOffset && i < layout.ThetaOffset + layout.ThetaCount)
            {
                var (_, col) = layout.ThetaPosition(i - layout.ThetaOffset);
                if (Math.Abs(lambda[col, col]) < FitChecks.SingularTolerance) continue;
            }
            keep.Add(i);
        }
        return keep;
    }

    /// <summary>
    /// The fixed effects' covariance: the beta block of the inverse Hessian over the <paramref name="kept"/> parameters
    /// (those at a boundary held fixed).
    /// </summary>
    private static double[,] FixedCovariance(double[,] hessian, ParameterLayout layout, List<int> kept, List<string> messages)
    {
        var inv = Dense.InverseSpd(Dense.SubMatrix(hessian, kept));
        var cov = new double[layout.P, layout.P];
        if (inv is null)
        {
            var beta = Enumerable.Range(0, layout.P).ToList();
            inv = Dense.InverseSpd(Dense.SubMatrix(hessian, beta));
            messages.Add("the Hessian is not positive definite: standard errors are conditional on the variance parameters");
            if (inv is null)
            {
                messages.Add("the fixed-effects information matrix is singular: standard errors are not available");
                for (int i = 0; i < layout.P; i++)
                    for (int j = 0; j < layout.P; j++) cov[i, j] = double.NaN;
                return cov;
            }
        }
        for (int i = 0; i < layout.P; i++)
            for (int j = 0; j < layout.P; j++) cov[i, j] = inv[i, j];
        return cov;
    }

    /// <summary>
    /// Whether the fit reached an optimum that can be trusted; each reason it did not is a message starting
    /// "Model failed to converge: ". In order: the fixed effects separate the response (the standard errors of the
    /// coefficients along the separation are then not available); the log-likelihood, its gradient or its Hessian is
    /// not finite; a variance parameter never moved from the GLM start (the likelihood is flat in it); the Hessian is
    /// not positive definite or a Newton step of 1e-3 standard errors or more remains (<see cref="CheckConvergence"/>).
    /// A Gaussian response the link's mean cannot reach is noted under a fit that failed.
    /// </summary>
    private static bool CheckTrust(ModelFrame frame, ParameterLayout layout, double[] psi, double logLik, double[]? glmStart,
        double[,] hessian, double[] logLikGradient, List<int> kept, OptimizationSummary summary, RandomEffectsModes ranef,
        bool[]? atBoundary, double[,] covariance, List<string> messages)
    {
        if (SeparationCheck.Report(frame, psi[..layout.P], atBoundary, ranef, covariance, messages)) return false;
        bool converged = AllFinite(psi, logLik, hessian, logLikGradient, kept, messages)
            && MovedFromStart(layout, psi, glmStart, summary, ranef, messages)
            && CheckConvergence(hessian, logLikGradient, kept, summary, messages);
        if (!converged && OutcomeChecks.UnreachableResponse(frame) is { } unreachable) messages.Add(unreachable);
        return converged;
    }

    private static bool AllFinite(double[] psi, double logLik, double[,] hessian, double[] logLikGradient, List<int> kept, List<string> messages)
    {
        bool finite = double.IsFinite(logLik) && psi.All(double.IsFinite) && logLikGradient.All(double.IsFinite);
        foreach (int i in kept)
            foreach (int j in kept) finite &= double.IsFinite(hessian[i, j]);
        if (!finite) messages.Add(FitChecks.NotConverged + "the log-likelihood, its gradient or its Hessian is not finite at the estimates");
        return finite;
    }

    /// <summary>False where a variance parameter (a diagonal entry of the relative covariance factor) is exactly its
    /// GLM start after the optimizer took steps: the likelihood gave it no gradient to follow.</summary>
    private static bool MovedFromStart(ParameterLayout layout, double[] psi, double[]? glmStart, OptimizationSummary summary, RandomEffectsModes ranef, List<string> messages)
    {
        if (glmStart is null || summary.Iterations == 0) return true;
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            int i = layout.ThetaOffset + k;
            if (!layout.IsThetaDiagonal(k) || psi[i] != glmStart[i]) continue;
            var (_, col) = layout.ThetaPosition(k);
            messages.Add(FitChecks.NotConverged + $"the variance parameter of {ranef.TermNames[col]} | {ranef.Factor} never moved from its start " +
                $"({glmStart[i]:G6}): the likelihood is flat in it at the estimates");
            return false;
        }
        return true;
    }

    /// <summary>Converged when the Hessian over the <paramref name="kept"/> parameters (those not at a boundary) is
    /// positive definite, a maximum, and the Newton step that remains is below 1e-3 standard errors in each of them.</summary>
    private static bool CheckConvergence(double[,] hessian, double[] logLikGradient, List<int> kept, OptimizationSummary summary, List<string> messages)
    {
        double maxGrad = logLikGradient.Max(Math.Abs);
        var inv = Dense.InverseSpd(Dense.SubMatrix(hessian, kept));
        if (inv is null)
        {
            messages.Add(FitChecks.NotConverged + $"the Hessian is not positive definite at the estimates, so they are not at a maximum of the likelihood ({summary.Message}; max |gradient| {maxGrad:G3})");
            return false;
        }
        double worst = 0;
        for (int a = 0; a < kept.Count; a++)
        {
            double step = 0;
            for (int b = 0; b < kept.Count; b++) step += inv[a, b] * logLikGradient[kept[b]];
            worst = Math.Max(worst, Math.Abs(step) / Math.Sqrt(inv[a, a]));
        }
        if (worst < 1e-3) return true;
        messages.Add(FitChecks.NotConverged + $"{summary.Message}; the remaining Newton step is {worst:G3} standard errors (max |gradient| {maxGrad:G3})");
        return false;
    }
}

using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Fitting.Optimization;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting;

/// <summary>
/// A start for the marginal-likelihood fit from the Laplace fit to every k-th cluster, itself started from the GLM fit
/// to those clusters. The GLM start is far from the optimum in the variance and in the fixed effects the variance
/// attenuates, and the optimizer's first steps, which only cross that distance, cost as much on the whole data as its
/// last; on a sample of the clusters they cost a k-th. The sample's optimum lies about sqrt(k) standard errors from
/// the whole data's, and its inverse Hessian, divided by k, is the whole data's to about 1/sqrt(sample clusters), so
/// the full fit starts close and with the curvature known: about half the whole-data evaluations (benchmarks/RESULTS.md,
/// "sample start").
/// </summary>
internal static class SampleStart
{
    /// <summary>One cluster in this many.</summary>
    public const int Stride = 8;
    /// <summary>The fewest clusters in the sample: fewer inform the variance too little to be worth the detour.</summary>
    public const int MinimumSampleClusters = 1000;
    /// <summary>The sample's fit stops within about 0.01 of its own standard errors. Its optimum is sqrt(Stride) of
    /// the whole data's standard errors from the full optimum anyway, but what the full fit gains most from is the
    /// curvature BFGS has learnt by then: a looser stop saved the sample evaluations and cost the full fit more
    /// (benchmarks/RESULTS.md).</summary>
    private const double Tolerance = 1e-4;
    /// <summary>A variance the sample puts this close to zero (relative to the start's) is not used: zero is a
    /// stationary point of the likelihood by symmetry, from which the full fit could not leave.</summary>
    private const double SmallestRelativeTheta = 0.05;

    public sealed record Start(double[] Psi, double[,] InverseHessian, int Evaluations, int Clusters);

    /// <summary>The sample's optimum and curvature rescaled to the whole data, on the CPU path with the fit's threads;
    /// null where the data has too few clusters for a sample, or the sample's fit gives no finite optimum or a variance
    /// at zero.</summary>
    public static Start? TryFit(ModelFrame frame, FitOptions options, int clusters)
    {
        if (clusters / Stride < MinimumSampleClusters) return null;
        var data = MarginalLikelihoodData.Create(ClusterSample.EveryKth(frame, Stride), 1);
        var layout = data.Layout;
        double[] psi0;
        double[,] h0;
        try
        {
            // The GLM start too comes from the sample (its inverse information is the sample's): on the whole data it
            // cost as much as the sample's whole fit.
            (psi0, h0) = MaximumLikelihoodEstimator.GlmStartingPoint(data.Frame, layout, data.ClusterCount, options.Execution.Parallel);
        }
        catch (GlmmException)
        {
            // A column the sample leaves constant, say: the whole data's GLM start will say what it has to say.
            return null;
        }
        int n = psi0.Length;
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(psi0[i]) || !(h0[i, i] > 0) || !double.IsFinite(h0[i, i])) return null;
        // The sample carries a k-th of the information: its inverse Hessian is k times the whole data's.
        double scale = (double)data.ClusterCount / clusters;
        using var engine = RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new CpuEngine(data, options.Execution.Parallel));
        Bfgs.Objective objective = (x, g) => MaximumLikelihoodEstimator.NegativeLogLikelihood(engine, x, g);
        var fit = Bfgs.Minimize(objective, psi0, options.MaxIterations, Tolerance, null, h0);
        if (!fit.Minimizer.All(double.IsFinite)) return null;
        for (int k = 0; k < layout.ThetaCount; k++)
        {
            int i = layout.ThetaOffset + k;
            if (layout.IsThetaDiagonal(k) && !(Math.Abs(fit.Minimizer[i]) >= SmallestRelativeTheta * Math.Abs(psi0[i]))) return null;
        }
        var h = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) h[i, j] = fit.InverseHessian[i, j] * scale;
        return new Start(fit.Minimizer, h, fit.Evaluations, data.ClusterCount);
    }

    private sealed class CpuEngine(MarginalLikelihoodData data, ParallelOptions parallel) : IRowLikelihoodVisitor<IMarginalLikelihoodEngine>
    {
        public IMarginalLikelihoodEngine Visit<TModel>() where TModel : struct, IRowLikelihood => new CpuMarginalLikelihood<TModel>(data, parallel);
    }
}

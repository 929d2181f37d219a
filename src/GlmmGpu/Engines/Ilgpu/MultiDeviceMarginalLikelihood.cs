using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Clusters;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// The marginal likelihood spread over several devices: each holds a contiguous range of clusters (about equal
/// rows) and evaluates it concurrently; the log-likelihoods and gradients come back and are added in device order,
/// so the result is reproducible for a given set of devices.
/// </summary>
internal sealed class MultiDeviceMarginalLikelihood : IMarginalLikelihoodEngine
{
    private readonly IMarginalLikelihoodEngine[] parts;
    private readonly int[] firstCluster;
    private readonly double[][] partGradients;
    private readonly ClusterOutput[] clusters;

    public MultiDeviceMarginalLikelihood(ParameterLayout layout, IMarginalLikelihoodEngine[] parts, int[] firstCluster, int clusterCount)
    {
        Layout = layout;
        this.parts = parts;
        this.firstCluster = firstCluster;
        partGradients = parts.Select(_ => new double[layout.Count]).ToArray();
        clusters = new ClusterOutput[clusterCount];
    }

    public ParameterLayout Layout { get; }
    public string Device => string.Join("+", parts.Select(p => p.Device));

    public ClusterOutput[] Clusters
    {
        get
        {
            for (int k = 0; k < parts.Length; k++) parts[k].Clusters.CopyTo(clusters, firstCluster[k]);
            return clusters;
        }
    }

    public void UseNodes(int nodesPerDimension)
    {
        foreach (var part in parts) part.UseNodes(nodesPerDimension);
    }

    public double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        bool wantGradient = !gradient.IsEmpty;
        var point = psi.ToArray();
        var values = new double[parts.Length];
        Parallel.For(0, parts.Length, new ParallelOptions { MaxDegreeOfParallelism = parts.Length }, k =>
            values[k] = parts[k].Evaluate(point, wantGradient ? partGradients[k] : Span<double>.Empty));
        double logLik = 0;
        foreach (var v in values) logLik += v;
        if (!wantGradient || !double.IsFinite(logLik)) return double.IsNaN(logLik) ? double.NegativeInfinity : logLik;
        gradient.Clear();
        foreach (var g in partGradients)
            for (int i = 0; i < g.Length; i++) gradient[i] += g[i];
        return logLik;
    }

    public void EvaluateMany(ReadOnlySpan<double> psis, Span<double> logLiks, Span<double> gradients)
    {
        int vectors = logLiks.Length, count = Layout.Count;
        bool wantGradient = !gradients.IsEmpty;
        var points = psis.ToArray();
        var partLogLiks = parts.Select(_ => new double[vectors]).ToArray();
        var partGrads = parts.Select(_ => wantGradient ? new double[vectors * count] : []).ToArray();
        Parallel.For(0, parts.Length, new ParallelOptions { MaxDegreeOfParallelism = parts.Length }, k =>
            parts[k].EvaluateMany(points, partLogLiks[k], partGrads[k]));
        for (int v = 0; v < vectors; v++)
        {
            double logLik = 0;
            foreach (var ll in partLogLiks) logLik += ll[v];
            logLiks[v] = double.IsNaN(logLik) ? double.NegativeInfinity : logLik;
        }
        if (!wantGradient) return;
        gradients.Clear();
        foreach (var g in partGrads)
            for (int i = 0; i < g.Length; i++) gradients[i] += g[i];
    }

    public void Dispose()
    {
        foreach (var p in parts) p.Dispose();
    }
}

using GlmmGpu.Kernels.Clusters;

namespace GlmmGpu.Engines;

/// <summary>
/// The Laplace/AGQ log-likelihood and its exact gradient at psi = (beta, theta, log phi), on some device.
/// Engines keep the conditional modes between calls and start Newton's method from them.
/// </summary>
internal interface IMarginalLikelihoodEngine : IDisposable
{
    ParameterLayout Layout { get; }
    /// <summary>The device as results name it: <c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda:NAME</c>.</summary>
    string Device { get; }
    /// <summary>The full log-likelihood (constants included); fills <paramref name="gradient"/> unless it is empty.
    /// Returns -Infinity where the integrand fails (e.g. a mean outside the family's support).</summary>
    double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient);
    /// <summary>
    /// Evaluates at several parameter vectors in one pass over the rows: <paramref name="psis"/> holds them one after
    /// another (<see cref="ParameterLayout.Count"/> each), <paramref name="logLiks"/> gets one log-likelihood per vector,
    /// and <paramref name="gradients"/>, unless empty, one gradient per vector. Each vector's Newton solves start from
    /// the conditional modes of the latest <see cref="Evaluate"/>, and neither those modes nor <see cref="Clusters"/>
    /// change: vector k's result is the one <see cref="Evaluate"/> at it would give from those modes. What the Hessian's
    /// differenced points, profiles, bootstrap replicates and posterior chains evaluate together.
    /// </summary>
    void EvaluateMany(ReadOnlySpan<double> psis, Span<double> logLiks, Span<double> gradients);
    /// <summary>
    /// <see cref="EvaluateMany"/> for vectors that belong to streams (<paramref name="streams"/>, one id per vector: a
    /// posterior chain's successive points): vector k's Newton solves start from the modes its stream's previous point
    /// left, which lie nearer than the latest <see cref="Evaluate"/>'s. A result then depends on its stream's own
    /// history, not on how the vectors were batched. Engines that keep no modes per stream start from the latest
    /// <see cref="Evaluate"/>'s, as <see cref="EvaluateMany"/> does.
    /// </summary>
    void EvaluateStreams(ReadOnlySpan<double> psis, ReadOnlySpan<int> streams, Span<double> logLiks, Span<double> gradients) =>
        EvaluateMany(psis, logLiks, gradients);
    /// <summary>Per-cluster outputs of the last evaluation (modes, their covariances, status).</summary>
    ClusterOutput[] Clusters { get; }
    /// <summary>Switches to another quadrature rule (nodes per random effect; 1 is Laplace), keeping the data where
    /// they are and the conditional modes as the next evaluation's start: an AGQ fit continues from its Laplace
    /// stage on the same engine, as glmer's nAGQ &gt; 1 does.</summary>
    void UseNodes(int nodesPerDimension);
    /// <summary>Fills <paramref name="hessian"/> with -log L's Hessian at psi, the point of the last evaluation, from
    /// the quadrature rule itself (<see cref="QuadratureInformation"/>), where the engine offers it; false otherwise,
    /// and the caller differences the gradient.</summary>
    bool TryRuleHessian(ReadOnlySpan<double> psi, double[,] hessian) => false;
}

/// <summary>An engine that forms the quadrature rule's curvature (<see cref="QuadratureInformation"/>) with any
/// number of nodes, whether or not its fits use it: for the tests that hold it against differencing.</summary>
internal interface IRuleCurvature
{
    /// <summary>As <see cref="IMarginalLikelihoodEngine.TryRuleHessian"/> with <paramref name="nodes"/> nodes, for a
    /// scalar random effect without dispersion.</summary>
    bool RuleHessian(ReadOnlySpan<double> psi, int nodes, double[,] hessian);
}

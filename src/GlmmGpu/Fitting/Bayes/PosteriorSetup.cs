using System.Diagnostics;
using GlmmGpu.Engines;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting.Bayes;

/// <summary>
/// What every Bayesian fit starts from, whatever integrates the posterior (NUTS or the grid): the maximum-likelihood
/// fit, an engine evaluated at its optimum (the conditional modes every batch's Newton solves start from), the priors
/// with the defaults filled in, and the map to unconstrained parameters.
/// </summary>
internal sealed class PosteriorSetup : IDisposable
{
    public required FitResult MaximumLikelihood { get; init; }
    public required double MaximumLikelihoodSeconds { get; init; }
    public required int Nodes { get; init; }
    public required MarginalLikelihoodData Data { get; init; }
    public required IMarginalLikelihoodEngine Engine { get; init; }
    public required PriorSet Priors { get; init; }
    public required PosteriorTransform Transform { get; init; }
    public required Dispersion? Dispersion { get; init; }
    /// <summary>sd(y) for a Gaussian identity-link model, 1 otherwise: the default priors' scale.</summary>
    public required double ResponseScale { get; init; }
    /// <summary>The reported quantities' names (<see cref="QuantityNames"/>).</summary>
    public required string[] Names { get; init; }

    public ParameterLayout Layout => Data.Layout;

    public static PosteriorSetup Create(ModelFrame frame, FitOptions options, BayesOptions bayes)
    {
        var clock = Stopwatch.StartNew();
        int nodes = Math.Max(1, options.NAgq);
        var ml = MaximumLikelihoodEstimator.Fit(frame, options with { Method = nodes > 1 ? FitMethod.Agq : FitMethod.Laplace, NAgq = nodes, Bayes = null });
        double mlSeconds = clock.Elapsed.TotalSeconds;

        var data = MarginalLikelihoodData.Create(frame, 1);
        var layout = data.Layout;
        // On a small data set the CPU path evaluates each chain's point on one thread and the chains side by side.
        var engine = EngineFactory.Create(data, options.Execution, nodes, out _);
        if (nodes > 1) engine.UseNodes(nodes);
        engine.Evaluate(ml.Record.FinalParameters, new double[layout.Count]);

        bool gaussianIdentity = frame.Family == FamilyKind.Gaussian && frame.Link == LinkKind.Identity;
        double responseScale = gaussianIdentity ? ConvergenceDiagnostics.StandardDeviation(frame.Response) : 1.0;
        var dispersion = ResultBuilder.DispersionOf(frame.Family, 1.0);
        var priors = PriorSet.Resolve(bayes.Priors, frame.FixedNames, data.Block.GroupingFactor, data.Block.TermNames,
            layout.Correlated, dispersion?.Name, responseScale);
        var transform = new PosteriorTransform(layout, priors, frame.Family == FamilyKind.Gamma ? -0.5 : 1.0);
        return new PosteriorSetup
        {
            MaximumLikelihood = ml,
            MaximumLikelihoodSeconds = mlSeconds,
            Nodes = nodes,
            Data = data,
            Engine = engine,
            Priors = priors,
            Transform = transform,
            Dispersion = dispersion,
            ResponseScale = responseScale,
            Names = QuantityNames(frame, data, transform, dispersion?.Name),
        };
    }

    /// <summary>Names of the reported quantities: the coefficients, <c>sd(g, x)</c>, <c>corr(g, x, y)</c>, the dispersion's name.</summary>
    private static string[] QuantityNames(ModelFrame frame, MarginalLikelihoodData data, PosteriorTransform transform, string? dispersionName) =>
        QuantityNames(frame.FixedNames, [new PriorTerm(data.Block.GroupingFactor, data.Block.TermNames, transform.CorrelationCount > 0)], dispersionName);

    /// <summary>As above with several terms, each's SDs then correlations (lower triangle by rows) in turn.</summary>
    internal static string[] QuantityNames(IEnumerable<string> fixedNames, IEnumerable<PriorTerm> terms, string? dispersionName)
    {
        var names = new List<string>(fixedNames);
        foreach (var (g, effects, correlated) in terms)
        {
            names.AddRange(effects.Select(t => $"sd({g}, {t})"));
            if (correlated)
                for (int i = 1; i < effects.Length; i++)
                    for (int j = 0; j < i; j++) names.Add($"corr({g}, {effects[j]}, {effects[i]})");
        }
        if (dispersionName is not null) names.Add(dispersionName);
        return names.ToArray();
    }

    public void Dispose() => Engine.Dispose();
}

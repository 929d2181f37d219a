using System.Diagnostics;

namespace GlmmGpu.Fitting;

/// <summary>How the optimizer's start was found.</summary>
public enum StartKind
{
    /// <summary>From the GLM fit to the data (Laplace and AGQ without a sample; PQL), as glmer starts.</summary>
    Glm,
    /// <summary>From the Laplace fit to a sample of the clusters (<see cref="SampleStart"/>).</summary>
    ClusterSample,
    /// <summary>From the relative covariance factor at the identity, as lmer starts a linear mixed model.</summary>
    Identity,
}

/// <summary>The start: its kind, and for a sample start the sample's clusters and the evaluations its fit took.</summary>
public sealed record FitStart(StartKind Kind, int SampleClusters = 0, int SampleEvaluations = 0);

/// <summary>One optimizer iteration: the stage it belongs to ("fitting", "REML", "ML", "PQL") and the log-likelihood
/// there (NaN for PQL, which has none).</summary>
public readonly record struct OptimizerStep(string Stage, int Iteration, double LogLik);

/// <summary>A phase of the fit and its wall time.</summary>
public readonly record struct PhaseTime(string Phase, double Seconds);

/// <summary>
/// What happened in a fit, beside the settings it was given (MixedModels.jl's OptSummary): the device and why it
/// was chosen, how the start was found, the parameters at the start and at the end, the optimizer's iterations,
/// evaluations, trail and last word, and the time each phase took.
/// </summary>
public sealed class FitRecord
{
    public required FitOptions Settings { get; init; }
    /// <summary><c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda:NAME</c>, <c>opencl:NAME</c>.</summary>
    public required string Device { get; init; }
    /// <summary>One line on why the device was chosen ("requested: the CPU SIMD path", "auto: ...").</summary>
    public required string DeviceReason { get; init; }
    public required FitStart Start { get; init; }
    /// <summary>The optimizer's parameters where it started and where it stopped, in the estimator's own
    /// parameterisation (psi = (beta, theta, log phi) for Laplace and AGQ; theta for the linear mixed model and PQL).</summary>
    public required double[] InitialParameters { get; init; }
    public required double[] FinalParameters { get; init; }
    public required int Iterations { get; init; }
    public required int Evaluations { get; init; }
    /// <summary>The optimizer's reason for stopping.</summary>
    public required string OptimizerMessage { get; init; }
    public required IReadOnlyList<OptimizerStep> Trail { get; init; }
    public required IReadOnlyList<PhaseTime> Phases { get; init; }
    /// <summary>The whole fit's wall time, excluding data loading and the model frame.</summary>
    public required double Seconds { get; init; }
    /// <summary>For a Bayesian fit, what the sampler did (its settings, step sizes, divergences, E-BFMI); null otherwise.</summary>
    public Bayes.SamplerRecord? Sampler { get; init; }
}

/// <summary>
/// Collects a <see cref="FitRecord"/> as an estimator goes: phase times (each also a <see cref="Diagnostics.Mark"/>),
/// the optimizer's trail (passed on to the settings' progress callback), the device and the start.
/// </summary>
internal sealed class FitRecorder(FitOptions settings)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<PhaseTime> phases = new();
    private readonly List<OptimizerStep> trail = new();
    private double lastPhaseEnd;

    public FitOptions Settings => settings;
    public string Device { get; set; } = "cpu";
    public string DeviceReason { get; set; } = "";
    public FitStart Start { get; set; } = new(StartKind.Glm);

    /// <summary>The phase that has just ended, timed from the end of the one before.</summary>
    public void Phase(string name)
    {
        double now = clock.Elapsed.TotalSeconds;
        phases.Add(new PhaseTime(name, now - lastPhaseEnd));
        lastPhaseEnd = now;
        Diagnostics.Mark(name);
    }

    /// <summary>The optimizer's per-iteration callback for a stage: into the trail, and on to the settings' progress.</summary>
    public Action<int, double> Progress(string stage) => (iteration, logLik) =>
    {
        trail.Add(new OptimizerStep(stage, iteration, logLik));
        settings.Progress?.Invoke(stage, iteration, logLik);
    };

    public FitRecord Finish(double[] initial, double[] final, int iterations, int evaluations, string message) => new()
    {
        Settings = settings,
        Device = Device,
        DeviceReason = DeviceReason,
        Start = Start,
        InitialParameters = initial,
        FinalParameters = final,
        Iterations = iterations,
        Evaluations = evaluations,
        OptimizerMessage = message,
        Trail = trail.ToArray(),
        Phases = phases.ToArray(),
        Seconds = clock.Elapsed.TotalSeconds,
    };
}

using System.Globalization;
using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;

namespace GlmmGpu.Benchmarks;

/// <summary>The simulated binomial random-intercept model that the evaluation runs (<c>many</c>, <c>walk</c>,
/// <c>device-profile</c>) evaluate, and the point they start from.</summary>
internal static class SimulatedBinomial
{
    /// <summary>A parameter vector near the simulation's truth: four slopes and the intercept, then log sd.</summary>
    public static readonly double[] Start = [-0.5, 0.5, -0.3, 0.2, 0.4, 0.8];

    /// <summary>The model's data for ROWS and GROUPS as given on the command line (1e5 and the like accepted).</summary>
    public static MarginalLikelihoodData Data(string rows, string groups, int nodes)
    {
        var (table, truth) = Simulator.Generate(new SimulationSpec(Count(rows), Count(groups), FamilyKind.Binomial));
        return MarginalLikelihoodData.Create(Glmm.Frame(table, new ModelSpec(truth.Formula, FamilyKind.Binomial)), nodes);
    }

    public static int Count(string text) => (int)double.Parse(text, CultureInfo.InvariantCulture);
}

using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

public class PqlRobustnessTests
{
    [Fact]
    public void PqlShortensOvershootingUpdatesAndStillSettles()
    {
        // Poisson counts with large random intercepts and slopes: the first PQL step from the GLM puts some
        // modes far out (working weights e^30 apart), which glmmPQL would take whole.
        var spec = new SimulationSpec(20_000, 2_000, FamilyKind.Poisson, Slopes: true, Sd: 1.2, Seed: 1);
        using var stream = new MemoryStream();
        var truth = Simulator.Write(spec, stream);
        stream.Position = 0;
        var fit = Glmm.Fit(CsvLoader.Load(new StreamReader(stream)), new ModelSpec(truth.Formula, FamilyKind.Poisson),
            new FitOptions { Method = FitMethod.Pql });
        Assert.True(fit.Converged, string.Join("; ", fit.Messages));
        Assert.Contains(fit.Messages, m => m.StartsWith("PQL shortened", StringComparison.Ordinal));
        Assert.InRange(fit.VarCorr[0].Sd[0], 1.0, 1.4);
        Assert.InRange(fit.VarCorr[0].Sd[1], 0.45, 0.75);
    }
}

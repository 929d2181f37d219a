using GlmmGpu.Engines;
using GlmmGpu.Fitting.Linear;
using GlmmGpu.Kernels.Families;
using Xunit;
using GlmmGpu.Tests.Fitting;
using GlmmGpu.Engines.Cpu;

namespace GlmmGpu.Tests.Engines.Cpu;

public class CpuLinearEngineTests
{
    [Fact]
    public void FlatAndPerLevelModesGiveTheSameLinearPredictor()
    {
        var frame = SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 2500, perGroup: 4, q: 2, correlated: true, seed: 6);
        var block = frame.RandomEffects[0];
        var modes = Enumerable.Range(0, block.LevelCount).Select(c => new[] { 0.01 * (c % 13 - 6), 0.03 * (c % 7 - 3) }).ToArray();
        var beta = new[] { 0.1, -0.2, 0.3 };
        using var perLevel = new CpuLinearEngine<BinomialLogit>(frame, block, new ExecutionOptions { Threads = 0 }.Parallel);
        using var flat = new CpuLinearEngine<BinomialLogit>(frame, block, new ExecutionOptions { Threads = 1 }.Parallel);
        var eta = new double[frame.RowCount];
        perLevel.SetEta(eta);
        flat.SetEta(eta);
        var expected = perLevel.UpdateEta(beta, modes);
        var actual = flat.UpdateEta(beta, modes.SelectMany(m => m).ToArray(), block.Q);
        Assert.Equal(expected, actual);
        // The engines' etas agree too: the next working statistics are the same.
        Assert.Equal(perLevel.WorkingStatistics(1.0).ZtWy, flat.WorkingStatistics(1.0).ZtWy);
    }
}

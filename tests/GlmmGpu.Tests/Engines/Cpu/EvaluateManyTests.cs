using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines.Ilgpu;
using Xunit;
using GlmmGpu.Tests.Fitting;

namespace GlmmGpu.Tests.Engines.Cpu;

/// <summary>The CPU engine's evaluation at several parameter vectors in one pass over the rows.</summary>
public class EvaluateManyTests
{
    /// <summary>Each model with a few vectors (evaluated one after another on the engine's own arrays) and with more
    /// than one pass takes (two passes of the vectors together).</summary>
    public static IEnumerable<object[]> Cases()
    {
        foreach (int vectors in new[] { 3, CpuMarginalLikelihood<BinomialLogit>.MaxVectorsPerPass + 3 })
        {
            yield return new object[] { FamilyKind.Binomial, LinkKind.Logit, 1, 1, vectors };
            yield return new object[] { FamilyKind.Binomial, LinkKind.Logit, 1, 7, vectors };
            yield return new object[] { FamilyKind.Gamma, LinkKind.Log, 2, 3, vectors };
            yield return new object[] { FamilyKind.Poisson, LinkKind.Log, 3, 1, vectors };
        }
    }

    /// <summary>
    /// Vector k's log-likelihood and gradient are, bit for bit, those of a single evaluation at it from the same modes
    /// (an engine with the same history); more vectors than one pass takes (two passes) change nothing; and the engine's
    /// own modes and outputs are left as the latest single evaluation left them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EachVectorIsTheSingleEvaluationAtItBitForBit(FamilyKind family, LinkKind link, int q, int nodes, int vectors)
    {
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(family, link, groups: 60, perGroup: 7, q, correlated: true, seed: 3 + q), nodes);
        int count = data.Layout.Count;
        var start = Point(data.Layout, 0.0);
        var psis = Enumerable.Range(0, vectors).SelectMany(k => Point(data.Layout, 0.01 * (k - 5))).ToArray();
        using var many = Engine(data);
        many.Evaluate(start, new double[count]);
        var modesBefore = many.Clusters.Select(c => c.Mode).ToArray();
        var logLiksBefore = many.Clusters.Select(c => c.LogLik).ToArray();
        var logLiks = new double[vectors];
        var gradients = new double[vectors * count];
        many.EvaluateMany(psis, logLiks, gradients);
        Assert.Equal(modesBefore, many.Clusters.Select(c => c.Mode).ToArray());
        Assert.Equal(logLiksBefore, many.Clusters.Select(c => c.LogLik).ToArray());

        foreach (int k in new[] { 0, vectors / 2, vectors - 1 })
        {
            using var single = Engine(data);
            single.Evaluate(start, new double[count]);
            var gradient = new double[count];
            double logLik = single.Evaluate(psis.AsSpan(k * count, count), gradient);
            Assert.True(double.IsFinite(logLik));
            Assert.Equal(Bits(logLik), Bits(logLiks[k]));
            Assert.Equal(gradient.Select(Bits), gradients.Skip(k * count).Take(count).Select(Bits));
        }
        // Without gradients: the same log-likelihoods.
        var valuesOnly = new double[vectors];
        many.EvaluateMany(psis, valuesOnly, Span<double>.Empty);
        Assert.Equal(logLiks.Select(Bits), valuesOnly.Select(Bits));
        // The engine's own state is as the single evaluation at the start left it: its next evaluation there is the same.
        using var fresh = Engine(data);
        fresh.Evaluate(start, new double[count]);
        Assert.Equal(Bits(fresh.Evaluate(start, new double[count])), Bits(many.Evaluate(start, new double[count])));
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 5000, perGroup: 3, 1, correlated: true, seed: 8), 1);
        int count = data.Layout.Count;
        var psis = Enumerable.Range(0, 4).SelectMany(k => Point(data.Layout, 0.02 * k)).ToArray();
        double[] Run(int threads)
        {
            using var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads });
            var values = new double[4 + 4 * count];
            engine.EvaluateMany(psis, values.AsSpan(0, 4), values.AsSpan(4));
            return values;
        }
        Assert.Equal(Run(1).Select(Bits), Run(2).Select(Bits));
    }

    /// <summary>
    /// Streams (posterior chains): each vector starts from its stream's previous modes, so a stream's results depend on
    /// its own points alone. Four streams stepped together, in two halves, or one stream at a time after another give
    /// the same bits; each result is the single evaluation at its point from that stream's previous point's modes
    /// (an engine that followed the stream alone); and the engine's own modes are untouched.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public void StreamsStartFromTheirOwnLastModesWhateverTheBatching(int streams)
    {
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, groups: 60, perGroup: 7, 2, correlated: true, seed: 4), 1);
        int count = data.Layout.Count, steps = 3;
        double[] At(int stream, int step) => Point(data.Layout, 0.03 * stream - 0.1 + 0.02 * step);
        var start = Point(data.Layout, 0.0);
        var ids = Enumerable.Range(0, streams).ToArray();

        double[] Together(Func<int, int[][]> batches)
        {
            using var engine = Engine(data);
            engine.Evaluate(start, new double[count]);
            var results = new double[steps * streams * (1 + count)];
            for (int step = 0; step < steps; step++)
                foreach (var batch in batches(step))
                {
                    var psis = batch.SelectMany(c => At(c, step)).ToArray();
                    var logLiks = new double[batch.Length];
                    var gradients = new double[batch.Length * count];
                    engine.EvaluateStreams(psis, batch, logLiks, gradients);
                    for (int b = 0; b < batch.Length; b++)
                    {
                        int at = (step * streams + batch[b]) * (1 + count);
                        results[at] = logLiks[b];
                        gradients.AsSpan(b * count, count).CopyTo(results.AsSpan(at + 1, count));
                    }
                }
            // The engine's own modes are still the start's: its next single evaluation there is a fresh engine's.
            using var fresh = Engine(data);
            fresh.Evaluate(start, new double[count]);
            Assert.Equal(Bits(fresh.Evaluate(start, new double[count])), Bits(engine.Evaluate(start, new double[count])));
            return results;
        }

        var all = Together(_ => [ids]);
        var halves = Together(_ => [ids[..(streams / 2)], ids[(streams / 2)..]]);
        var reversedSingles = Together(_ => ids.Reverse().Select(c => new[] { c }).ToArray());
        Assert.Equal(all.Select(Bits), halves.Select(Bits));
        Assert.Equal(all.Select(Bits), reversedSingles.Select(Bits));

        // Stream 1 alone on an engine that follows it with single evaluations: the same bits.
        using var follower = Engine(data);
        follower.Evaluate(start, new double[count]);
        for (int step = 0; step < steps; step++)
        {
            var gradient = new double[count];
            double logLik = follower.Evaluate(At(1, step), gradient);
            int at = (step * streams + 1) * (1 + count);
            Assert.Equal(Bits(all[at]), Bits(logLik));
            Assert.Equal(all.Skip(at + 1).Take(count).Select(Bits), gradient.Select(Bits));
        }
    }

    private static IMarginalLikelihoodEngine Engine(MarginalLikelihoodData data) => EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });

    /// <summary>A point like the gradient tests' (beta, SDs near 0.6, a correlation, phi 1.5), moved by <paramref name="shift"/>.</summary>
    internal static double[] Point(ParameterLayout layout, double shift)
    {
        var psi = new double[layout.Count];
        psi[0] = 0.2 + shift; psi[1] = 0.4; psi[2] = -0.3 - shift;
        for (int k = 0; k < layout.ThetaCount; k++)
            psi[layout.ThetaOffset + k] = layout.IsThetaDiagonal(k) ? 0.6 + 0.1 * k + shift : 0.15;
        if (layout.HasDispersion) psi[layout.DispersionIndex] = Math.Log(1.5) + shift;
        return psi;
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);
}

using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Engines.Ilgpu;
using GlmmGpu.Tests.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Engines.Ilgpu;

/// <summary>
/// The ILGPU engine against the CPU engine, written once and made concrete per accelerator (ILGPU's own test
/// style). Frames are small (20 clusters of 5 rows) because ILGPU's CPU accelerator simulates a GPU thread by thread.
/// </summary>
public abstract class AcceleratorEngineTests
{
    private const double Tolerance = 1e-8;

    /// <summary>The accelerator under test, shared by the tests of a class so kernels compile once per model.</summary>
    private protected abstract IlgpuDevice Device { get; }

    public static IEnumerable<object[]> ParityCases()
    {
        var models = new[]
        {
            (FamilyKind.Binomial, LinkKind.Logit),
            (FamilyKind.Poisson, LinkKind.Log),
            (FamilyKind.Gamma, LinkKind.Log),
            (FamilyKind.NegativeBinomial, LinkKind.Log),
            (FamilyKind.Gaussian, LinkKind.Identity),
        };
        foreach (var (family, link) in models)
            foreach (int q in new[] { 1, 2 })
                foreach (int nodes in new[] { 1, 3 })
                    yield return new object[] { family, link, q, nodes };
    }

    [Theory]
    [MemberData(nameof(ParityCases))]
    public void MatchesTheCpuEngine(FamilyKind family, LinkKind link, int q, int nodes)
    {
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(family, link, groups: 20, perGroup: 5, q, correlated: true, seed: 5 + q), nodes);
        using var cpu = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        using var device = CreateEngine(data, batchClusters: 0);
        AgreesAtTwoPoints(cpu, device, data, q);
    }

    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1)]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 5)]
    [InlineData(FamilyKind.Poisson, LinkKind.Log, 5)]
    public void MatchesTheCpuEngineOnLongClustersAndExtremePredictors(FamilyKind family, LinkKind link, int nodes)
    {
        // The CPU path forms a random intercept's e^eta as e^(fixed eta) e^b and leaves Bernoulli rows' logs to one per
        // 256 rows; the kernels take every row's own exp and log. Clusters longer than 256 rows, binomial rows of one
        // trial and of several, and predictors beyond the product's range (|eta| > 690, where the CPU path takes the
        // row's own exp) must agree.
        var frame = SyntheticFrames.Create(family, link, new[] { 700, 300, 3, 1, 40 }, 1, correlated: true, seed: 17);
        if (family == FamilyKind.Binomial)
        {
            // The first cluster all Bernoulli rows (its deferred logs fold twice), the third beyond the range.
            for (int i = 0; i < 700; i++)
            {
                frame.Response[i] = frame.Response[i] > 0 ? 1 : 0;
                frame.Weights[i] = 1;
            }
            for (int i = 1000; i < 1003; i++) frame.Offset[i] = i % 2 == 0 ? 705.0 : -702.0;
        }
        var data = MarginalLikelihoodData.Create(frame, nodes);
        using var cpu = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        using var device = CreateEngine(data, batchClusters: 0);
        AgreesAtTwoPoints(cpu, device, data, 1);
    }

    public enum Sharing { ThreadPerCluster, WarpPerCluster, GroupPerCluster }

    public static IEnumerable<object[]> CooperativeCases()
    {
        foreach (var sharing in new[] { Sharing.WarpPerCluster, Sharing.GroupPerCluster })
        {
            yield return new object[] { FamilyKind.Binomial, LinkKind.Logit, 1, 1, sharing };
            yield return new object[] { FamilyKind.Binomial, LinkKind.Logit, 2, 3, sharing };
            yield return new object[] { FamilyKind.Gamma, LinkKind.Log, 2, 3, sharing };
            yield return new object[] { FamilyKind.Poisson, LinkKind.Log, 3, 1, sharing };
            yield return new object[] { FamilyKind.NegativeBinomial, LinkKind.Log, 1, 5, sharing };
        }
    }

    /// <summary>
    /// The warp- and group-per-cluster kernels (every cluster forced into them) against the CPU path. Cluster sizes
    /// from 1 row to several rows per thread, so that some threads have no row and the rest have different counts.
    /// </summary>
    [Theory]
    [MemberData(nameof(CooperativeCases))]
    public void RowsSharedByAWarpOrAGroupMatchTheCpuEngine(FamilyKind family, LinkKind link, int q, int nodes, Sharing sharing)
    {
        var sizes = new[] { 1, 2, 7, 16, 33, 50, 5, 3, 41, 64, 12, 9 };
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(family, link, sizes, q, correlated: true, seed: 30 + q), nodes);
        using var cpu = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        using var device = CreateEngine(data, batchClusters: 0, sizePolicy: Policy(sharing));
        var counts = ClassCounts(device);
        Assert.Equal(sizes.Length, sharing == Sharing.WarpPerCluster ? counts.Warps : counts.Groups);
        AgreesAtTwoPoints(cpu, device, data, q);
    }

    /// <summary>
    /// The device's own policy on clusters of every class at once (a thread, a warp, a group each), in batches
    /// that split the classes between launches: equal to the CPU path, and bitwise equal run to run and to one batch.
    /// </summary>
    [Fact]
    public void MixedClusterSizesInManyBatchesMatchTheCpuEngineAndRepeatExactly()
    {
        var policy = ClusterSizePolicy.For(Device.Accelerator);
        int small = policy.WarpFromRows / 2, medium = policy.WarpFromRows + 3, large = policy.GroupFromRows + 5;
        var sizes = Enumerable.Range(0, 30).Select(g => (g % 7) switch { 0 => large, 1 or 4 => medium, _ => small + g % 3 }).ToArray();
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Binomial, LinkKind.Logit, sizes, 2, correlated: true, seed: 44), 3);
        using var cpu = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        using var whole = CreateEngine(data, batchClusters: 0);
        using var batched = CreateEngine(data, batchClusters: 4);
        using var again = CreateEngine(data, batchClusters: 4);
        var counts = ClassCounts(batched);
        Assert.True(counts.Threads > 0 && counts.Warps > 0 && counts.Groups > 0, $"classes {counts}");
        foreach (var psi in new[] { Psi(data.Layout, 0.0), Psi(data.Layout, 0.1) })
        {
            var expected = Evaluate(cpu, psi);
            var one = Evaluate(whole, psi);
            var many = Evaluate(batched, psi);
            var repeat = Evaluate(again, psi);
            AssertClose(expected.LogLik, many.LogLik, "log-likelihood");
            for (int i = 0; i < psi.Length; i++) AssertClose(expected.Gradient[i], many.Gradient[i], $"gradient[{i}]");
            Assert.Equal(Bits(one.LogLik), Bits(many.LogLik));
            Assert.Equal(one.Gradient.Select(Bits), many.Gradient.Select(Bits));
            Assert.Equal(Bits(many.LogLik), Bits(repeat.LogLik));
            Assert.Equal(many.Gradient.Select(Bits), repeat.Gradient.Select(Bits));
        }
    }

    /// <summary>The engine's split of clusters by kernel (the engine is generic in the model, hence reflection).</summary>
    private static (int Threads, int Warps, int Groups) ClassCounts(IMarginalLikelihoodEngine engine) =>
        ((int, int, int))engine.GetType().GetProperty("ClassCounts")!.GetValue(engine)!;

    private ClusterSizePolicy Policy(Sharing sharing) => sharing switch
    {
        Sharing.WarpPerCluster => ClusterSizePolicy.WarpPerCluster(Device.Accelerator),
        Sharing.GroupPerCluster => ClusterSizePolicy.GroupPerCluster(Device.Accelerator),
        _ => ClusterSizePolicy.ThreadPerCluster(Device.Accelerator),
    };

    [Fact]
    public void ManySmallBatchesEqualOneBatchExactly()
    {
        // Enough clusters for many blocks, so that batches of at most 40 clusters take one or a few blocks each.
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 600, perGroup: 3, q: 2, correlated: true, seed: 8), 3);
        using var whole = CreateEngine(data, batchClusters: 0);
        using var batched = CreateEngine(data, batchClusters: 40);
        var engine = (IlgpuMarginalLikelihood<PoissonLog>)batched;
        Assert.Single(((IlgpuMarginalLikelihood<PoissonLog>)whole).Batches);
        Assert.True(engine.Batches.Count >= 600 / 40, $"{engine.Batches.Count} batches");
        Assert.All(engine.Batches, b => Assert.InRange(b.ClusterCount, 1, 40));
        foreach (var psi in new[] { Psi(data.Layout, 0.0), Psi(data.Layout, 0.1) })
        {
            var one = Evaluate(whole, psi);
            var many = Evaluate(batched, psi);
            Assert.Equal(Bits(one.LogLik), Bits(many.LogLik));
            Assert.Equal(one.Gradient.Select(Bits), many.Gradient.Select(Bits));
            Assert.Equal(whole.Clusters.Select(c => Bits(c.LogLik)), batched.Clusters.Select(c => Bits(c.LogLik)));
        }
    }

    /// <summary>
    /// Rows too many for the device are streamed through it batch by batch (forced here, with batches that split
    /// the reduction blocks of X'alpha and of the clusters): every bit as with the rows resident, AGQ and a
    /// dispersion parameter included, and the modes carried across evaluations too.
    /// </summary>
    [Theory]
    [InlineData(FamilyKind.Gamma, LinkKind.Log, 2, 3)]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, 1)]
    public void StreamedRowsGiveTheResidentResultExactly(FamilyKind family, LinkKind link, int q, int nodes)
    {
        var sizes = Enumerable.Range(0, 900).Select(g => 3 + g % 11).ToArray();
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(family, link, sizes, q, correlated: true, seed: 61), nodes);
        using var resident = CreateEngine(data, batchClusters: 0, streamRows: false);
        using var streamed = CreateEngine(data, batchClusters: 97, streamRows: true);
        Assert.False(StreamsRows(resident));
        Assert.True(StreamsRows(streamed));
        foreach (var psi in new[] { Psi(data.Layout, 0.0), Psi(data.Layout, 0.1), Psi(data.Layout, 0.05) })
        {
            var a = Evaluate(resident, psi);
            var b = Evaluate(streamed, psi);
            Assert.Equal(Bits(a.LogLik), Bits(b.LogLik));
            Assert.Equal(a.Gradient.Select(Bits), b.Gradient.Select(Bits));
            Assert.Equal(resident.Clusters.Select(c => Bits(c.Mode.X0)), streamed.Clusters.Select(c => Bits(c.Mode.X0)));
        }
        // Without the gradient too (the line search's trial points).
        var psi0 = Psi(data.Layout, 0.02);
        Assert.Equal(Bits(resident.Evaluate(psi0, Span<double>.Empty)), Bits(streamed.Evaluate(psi0, Span<double>.Empty)));
    }

    /// <summary>
    /// Several vectors in one pass over the rows: each agrees with the CPU engine's evaluation at it, equals bit for bit
    /// the device's single evaluation from the same modes and the same pass split into small batches, and leaves the
    /// engine's own modes as they were.
    /// </summary>
    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, 1)]
    [InlineData(FamilyKind.Gamma, LinkKind.Log, 2, 3)]
    public void ManyVectorsInOnePassMatchTheCpuEngineAndSingleEvaluations(FamilyKind family, LinkKind link, int q, int nodes)
    {
        // Lanes of more than one per warp, so that small clusters' rows are interleaved in the tests too.
        Assert.True(Device.Accelerator.WarpSize > 1, $"warp size {Device.Accelerator.WarpSize}");
        var sizes = Enumerable.Range(0, 90).Select(g => 1 + g % 9).ToArray();
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(family, link, sizes, q, correlated: true, seed: 71), nodes);
        int count = data.Layout.Count, vectors = 5;
        var start = Psi(data.Layout, 0.0);
        var psis = Enumerable.Range(0, vectors).SelectMany(k => Psi(data.Layout, 0.02 * k - 0.03)).ToArray();
        using var cpu = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        using var whole = CreateEngine(data, batchClusters: 0);
        using var batched = CreateEngine(data, batchClusters: 20);
        var results = new List<(double[] LogLiks, double[] Gradients)>();
        foreach (var engine in new[] { cpu, whole, batched })
        {
            engine.Evaluate(start, new double[count]);
            var logLiks = new double[vectors];
            var gradients = new double[vectors * count];
            engine.EvaluateMany(psis, logLiks, gradients);
            results.Add((logLiks, gradients));
        }
        for (int i = 0; i < vectors; i++) AssertClose(results[0].LogLiks[i], results[1].LogLiks[i], $"vector {i} log-likelihood");
        for (int i = 0; i < vectors * count; i++) AssertClose(results[0].Gradients[i], results[1].Gradients[i], $"gradient entry {i}");
        Assert.Equal(results[1].LogLiks.Select(Bits), results[2].LogLiks.Select(Bits));
        Assert.Equal(results[1].Gradients.Select(Bits), results[2].Gradients.Select(Bits));

        using var single = CreateEngine(data, batchClusters: 0);
        single.Evaluate(start, new double[count]);
        var gradient = new double[count];
        double logLik = single.Evaluate(psis.AsSpan(3 * count, count), gradient);
        Assert.Equal(Bits(logLik), Bits(results[1].LogLiks[3]));
        Assert.Equal(gradient.Select(Bits), results[1].Gradients.Skip(3 * count).Take(count).Select(Bits));
        // The engine's own modes are still the single evaluation's at the start point.
        var again = Evaluate(whole, start);
        var first = Evaluate(CreateEngine(data, batchClusters: 0), start);
        Assert.Equal(Bits(first.LogLik), Bits(again.LogLik));
    }

    [Fact]
    public void RepeatedRunsAreBitwiseIdentical()
    {
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Gamma, LinkKind.Log, groups: 20, perGroup: 5, q: 2, correlated: true, seed: 9), 3);
        using var first = CreateEngine(data, batchClusters: 0);
        using var second = CreateEngine(data, batchClusters: 0);
        // Both runs see the same sequence of points, so their warm starts agree as well.
        foreach (var psi in new[] { Psi(data.Layout, 0.0), Psi(data.Layout, 0.1), Psi(data.Layout, 0.0) })
        {
            var a = Evaluate(first, psi);
            var b = Evaluate(second, psi);
            Assert.Equal(Bits(a.LogLik), Bits(b.LogLik));
            Assert.Equal(a.Gradient.Select(Bits), b.Gradient.Select(Bits));
        }
    }

    /// <summary>Log-likelihood, gradient, and every cluster's integral, mode and status agree at two points (the
    /// second checks that the warm-start modes carried between evaluations agree too).</summary>
    private static void AgreesAtTwoPoints(IMarginalLikelihoodEngine cpu, IMarginalLikelihoodEngine device, MarginalLikelihoodData data, int q)
    {
        foreach (var psi in new[] { Psi(data.Layout, 0.0), Psi(data.Layout, 0.1) })
        {
            var expected = Evaluate(cpu, psi);
            var actual = Evaluate(device, psi);
            AssertClose(expected.LogLik, actual.LogLik, "log-likelihood");
            for (int i = 0; i < psi.Length; i++) AssertClose(expected.Gradient[i], actual.Gradient[i], $"gradient[{i}]");
            for (int g = 0; g < data.ClusterCount; g++)
            {
                AssertClose(cpu.Clusters[g].LogLik, device.Clusters[g].LogLik, $"cluster {g} log-likelihood");
                for (int d = 0; d < q; d++) AssertClose(cpu.Clusters[g].Mode[d], device.Clusters[g].Mode[d], $"cluster {g} mode[{d}]");
                Assert.Equal(cpu.Clusters[g].Status, device.Clusters[g].Status);
            }
        }
    }

    private IMarginalLikelihoodEngine CreateEngine(MarginalLikelihoodData data, int batchClusters, ClusterSizePolicy? sizePolicy = null, bool? streamRows = null) =>
        RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new SharedDeviceEngine(data, Device, batchClusters, sizePolicy, streamRows));

    private static bool StreamsRows(IMarginalLikelihoodEngine engine) => (bool)engine.GetType().GetProperty("StreamsRows")!.GetValue(engine)!;

    private static (double LogLik, double[] Gradient) Evaluate(IMarginalLikelihoodEngine engine, double[] psi)
    {
        var gradient = new double[psi.Length];
        double logLik = engine.Evaluate(psi, gradient);
        Assert.True(double.IsFinite(logLik));
        return (logLik, gradient);
    }

    /// <summary>A point like the gradient tests' (beta, SDs near 0.6, a correlation, phi 1.5), moved by <paramref name="shift"/>.</summary>
    private static double[] Psi(ParameterLayout layout, double shift)
    {
        var psi = new double[layout.Count];
        psi[0] = 0.2 + shift; psi[1] = 0.4; psi[2] = -0.3 - shift;
        for (int k = 0; k < layout.ThetaCount; k++)
            psi[layout.ThetaOffset + k] = layout.IsThetaDiagonal(k) ? 0.6 + 0.1 * k + shift : 0.15;
        if (layout.HasDispersion) psi[layout.DispersionIndex] = Math.Log(1.5) + shift;
        return psi;
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1.0, Math.Abs(expected)),
            $"{what}: CPU {expected:R}, accelerator {actual:R}");

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    private sealed class SharedDeviceEngine(MarginalLikelihoodData data, IlgpuDevice device, int batchClusters, ClusterSizePolicy? sizePolicy,
        bool? streamRows) : IRowLikelihoodVisitor<IMarginalLikelihoodEngine>
    {
        public IMarginalLikelihoodEngine Visit<TModel>() where TModel : struct, IRowLikelihood =>
            new IlgpuMarginalLikelihood<TModel>(data, device, batchClusters, ownsDevice: false, sizePolicy, streamRows);
    }
}

/// <summary>One ILGPU CPU accelerator for all tests of a class.</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    internal IlgpuDevice Device { get; } = IlgpuDevices.OpenCpu();
    public void Dispose() => Device.Dispose();
}

public sealed class IlgpuCpuEngineTests(IlgpuCpuFixture fixture) : AcceleratorEngineTests, IClassFixture<IlgpuCpuFixture>
{
    private protected override IlgpuDevice Device => fixture.Device;
}

#if GPU_TESTS
/// <summary>One CUDA accelerator for all tests of a class; build with -p:GpuTests=true on a machine with a GPU.</summary>
public sealed class CudaFixture : IDisposable
{
    internal IlgpuDevice Device { get; } = IlgpuDevices.OpenCuda(DeviceMath.Portable);
    public void Dispose() => Device.Dispose();
}

public sealed class CudaEngineTests(CudaFixture fixture) : AcceleratorEngineTests, IClassFixture<CudaFixture>
{
    private protected override IlgpuDevice Device => fixture.Device;
}
#endif

using GlmmGpu.Fitting;
using GlmmGpu.Fitting.Likelihood;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Scheduling;
using GlmmGpu.Tests.Fitting;
using Xunit;

namespace GlmmGpu.Tests.Kernels;

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
        using var cpu = EngineFactory.Create(data, new FitOptions { Device = DeviceChoice.Cpu });
        using var device = CreateEngine(data, batchClusters: 0);
        // A second point checks that the warm-start modes carried between evaluations agree too.
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ManySmallBatchesEqualOneBatchExactly(bool outputsResident)
    {
        // Enough clusters for several reduction blocks, so batches of 7 split blocks between launches; with the
        // per-cluster outputs resident on the device or streamed back batch by batch.
        var data = MarginalLikelihoodData.Create(SyntheticFrames.Create(FamilyKind.Poisson, LinkKind.Log, groups: 600, perGroup: 3, q: 2, correlated: true, seed: 8), 3);
        using var whole = CreateEngine(data, batchClusters: 0);
        using var batched = CreateEngine(data, batchClusters: 7, outputsResident);
        Assert.Single(((IlgpuMarginalLikelihood<PoissonLog>)whole).Batches);
        Assert.Equal(86, ((IlgpuMarginalLikelihood<PoissonLog>)batched).Batches.Count);
        foreach (var psi in new[] { Psi(data.Layout, 0.0), Psi(data.Layout, 0.1) })
        {
            var one = Evaluate(whole, psi);
            var many = Evaluate(batched, psi);
            Assert.Equal(Bits(one.LogLik), Bits(many.LogLik));
            Assert.Equal(one.Gradient.Select(Bits), many.Gradient.Select(Bits));
            Assert.Equal(whole.Clusters.Select(c => Bits(c.LogLik)), batched.Clusters.Select(c => Bits(c.LogLik)));
        }
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

    private IMarginalLikelihood CreateEngine(MarginalLikelihoodData data, int batchClusters, bool? outputsResident = null) =>
        RowLikelihoodDispatch.Dispatch(data.Frame.Family, data.Frame.Link, new SharedDeviceEngine(data, Device, batchClusters, outputsResident));

    private static (double LogLik, double[] Gradient) Evaluate(IMarginalLikelihood engine, double[] psi)
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

    private sealed class SharedDeviceEngine(MarginalLikelihoodData data, IlgpuDevice device, int batchClusters, bool? outputsResident)
        : IRowLikelihoodVisitor<IMarginalLikelihood>
    {
        public IMarginalLikelihood Visit<TModel>() where TModel : struct, IRowLikelihood =>
            new IlgpuMarginalLikelihood<TModel>(data, device, batchClusters, ownsDevice: false, outputsResident);
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
    internal IlgpuDevice Device { get; } = IlgpuDevices.OpenCuda(libDevice: false);
    public void Dispose() => Device.Dispose();
}

public sealed class CudaEngineTests(CudaFixture fixture) : AcceleratorEngineTests, IClassFixture<CudaFixture>
{
    private protected override IlgpuDevice Device => fixture.Device;
}
#endif

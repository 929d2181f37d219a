using BenchmarkDotNet.Attributes;
using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Benchmarks;

/// <summary>CSV loading of a 1e6-row simulated file (about 40 MB); MB/s = size / time.</summary>
[MemoryDiagnoser]
public class CsvBenchmarks
{
    private string path = null!;

    [GlobalSetup]
    public void Setup() => path = BenchmarkData.File(1_000_000, 100_000, FamilyKind.Binomial, slopes: false);

    [Benchmark]
    public int Load() => CsvLoader.Load(path).RowCount;
}

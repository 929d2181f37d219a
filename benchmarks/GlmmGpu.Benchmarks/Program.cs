using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace GlmmGpu.Benchmarks;

/// <summary>
/// BenchmarkDotNet suites (<c>--filter</c> as usual; <c>--job short</c> for a quick run), and the scale harness
/// (<c>scale</c>: fit simulated sets of growing size and write a table), <c>profile</c>, and the device runs
/// (<c>device-check</c>, <c>device-scale</c>, see <see cref="DeviceRun"/>), <c>dense</c> (the dense block's algebra, see
/// <see cref="DenseRun"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "scale") return ScaleHarness.Run(args[1..]);
        if (args.Length > 0 && args[0] == "profile") return ProfileRun.Run(args[1..]);
        if (args.Length > 0 && args[0] == "device-check") return DeviceRun.Check(args[1..]);
        if (args.Length > 0 && args[0] == "device-scale") return DeviceRun.Scale(args[1..]);
        if (args.Length > 0 && args[0] == "codegen") return CodegenRun.Run(args[1..]);
        if (args.Length > 0 && args[0] == "device-profile") return DeviceRun.Profile(args[1..]);
        if (args.Length > 0 && args[0] == "many") return ManyVectorsRun.Run(args[1..]);
        if (args.Length > 0 && args[0] == "walk") return WalkRun.Run(args[1..]);
        if (args.Length > 0 && args[0] == "dense") return DenseRun.Run(args[1..]);
        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}

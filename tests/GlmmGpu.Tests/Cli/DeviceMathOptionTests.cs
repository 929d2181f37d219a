using GlmmGpu.Cli;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Ilgpu;
using Xunit;

namespace GlmmGpu.Tests.Cli;

/// <summary>
/// --device-math: refused where it cannot apply, and libdevice's toolkit looked for where CUDA_HOME, CUDA_PATH and the
/// installers put it, with a message that says what is missing and where it looked (ILGPU's said only "CUDA_HOME").
/// </summary>
public class DeviceMathOptionTests
{
    private static (int Code, string Err) Run(params string[] args)
    {
        var stderr = new StringWriter();
        int code = CliProgram.Run(args, new StringWriter(), stderr);
        return (code, stderr.ToString().Trim());
    }

    private static string[] CbppFit(params string[] extra) =>
        new[] { "fit", "--data", Fixtures.Path("cbpp.csv"), "--family", "binomial", "--formula", "cbind(incidence, size - incidence) ~ period + (1 | herd)" }
            .Concat(extra).ToArray();

    [Theory]
    [InlineData("cpu", "libdevice")]
    [InlineData("ilgpu-cpu", "xmath")]
    public void DeviceMathOnTheCpuIsAUsageError(string device, string math)
    {
        var (code, err) = Run(CbppFit("--device", device, "--device-math", math));
        Assert.Equal(2, code);
        Assert.Equal($"glmm: error: option --device-math {math} chooses the GPU kernels' exp and log, but --device {device} always runs the portable ones; " +
            "leave --device-math out, or use --device cuda or opencl", err);
    }

    [Fact]
    public void LibdeviceWithOpenClIsAUsageError()
    {
        var (code, err) = Run(CbppFit("--device", "opencl", "--device-math", "libdevice"));
        Assert.Equal(2, code);
        Assert.Contains("libdevice is NVIDIA's library, for --device cuda", err);
    }

    [Fact]
    public void AMissingToolkitIsNamedWithWhereItWasLookedFor()
    {
        var empty = Directory.CreateTempSubdirectory("glmm-cuda-").FullName;
        var absent = Path.Combine(empty, "nowhere");
        try
        {
            Directory.CreateDirectory(Path.Combine(empty, "nvvm", "lib64"));
            File.WriteAllText(Path.Combine(empty, "nvvm", "lib64", "libnvvm.so"), "");
            var e = Assert.Throws<GlmmException>(() => LibDeviceLocation.Find(
                v => v == "CUDA_HOME" ? empty : null, windows: false, defaults: new[] { absent }));
            Assert.Equal(
                "--device-math libdevice needs the CUDA toolkit's libNVVM and libdevice (its nvvm folder), which were not found; looked in " +
                $"CUDA_PATH (not set), {empty} (no nvvm/libdevice/libdevice.*.bc), {absent} (absent): install the CUDA toolkit, " +
                "or set CUDA_HOME to its folder (the one holding nvvm), or use --device-math portable", e.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void AToolkitIsFoundUnderCudaPathOrWhereInstallersPutIt()
    {
        var root = Directory.CreateTempSubdirectory("glmm-cuda-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "nvvm", "lib64"));
            Directory.CreateDirectory(Path.Combine(root, "nvvm", "libdevice"));
            File.WriteAllText(Path.Combine(root, "nvvm", "lib64", "libnvvm.so.4"), "");
            File.WriteAllText(Path.Combine(root, "nvvm", "libdevice", "libdevice.10.bc"), "");
            var expected = (Path.Combine(root, "nvvm", "lib64", "libnvvm.so.4"), Path.Combine(root, "nvvm", "libdevice", "libdevice.10.bc"));
            Assert.Equal(expected, LibDeviceLocation.Find(v => v == "CUDA_PATH" ? root : null, windows: false, defaults: Array.Empty<string>()));
            Assert.Equal(expected, LibDeviceLocation.Find(_ => null, windows: false, defaults: new[] { root }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

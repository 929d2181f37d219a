using GlmmGpu.Cli;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Cli;

public class FitCommandTests
{
    private static readonly string[] Base = { "--data", "d.csv", "--formula", "y ~ x + (1 | g)", "--family", "binomial" };

    private static FitRequest Request(params string[] extra) =>
        FitCommand.ParseRequest(ArgumentParser.Parse(Base.Concat(extra).ToArray(), FitCommand.Options, FitCommand.Name));

    private static string Error(params string[] args) =>
        Assert.Throws<UsageException>(() => FitCommand.ParseRequest(ArgumentParser.Parse(args, FitCommand.Options, FitCommand.Name))).Message;

    private static string ErrorWithBase(params string[] extra) => Error(Base.Concat(extra).ToArray());

    [Fact]
    public void DefaultsForABinomialModel()
    {
        var r = Request();
        Assert.Equal("d.csv", r.DataPath);
        Assert.Equal("y ~ x + (1 | g)", r.Formula);
        Assert.Equal(FamilyKind.Binomial, r.Family);
        Assert.Null(r.Link);
        Assert.Equal(FitMethod.Laplace, r.Method);
        Assert.Equal(1, r.NAgq);
        Assert.Empty(r.Factors);
        Assert.Null(r.Weights);
        Assert.Equal(DeviceChoice.Auto, r.Device);
        Assert.Equal(0, r.Threads);
        Assert.Null(r.JsonPath);
        Assert.False(r.Quiet);
        Assert.False(r.Verbose);
    }

    [Fact]
    public void EveryOptionIsRead()
    {
        var r = Request("--link", "probit", "--method", "agq", "--nagq", "25", "--factor", "herd, period", "--factor", "year",
            "--weights", "size", "--device", "cuda", "--threads", "4", "--json", "out.json", "--verbose");
        Assert.Equal(LinkKind.Probit, r.Link);
        Assert.Equal(FitMethod.Agq, r.Method);
        Assert.Equal(25, r.NAgq);
        Assert.Equal(new[] { "herd", "period", "year" }, r.Factors);
        Assert.Equal("size", r.Weights);
        Assert.Equal(DeviceChoice.Cuda, r.Device);
        Assert.Equal(4, r.Threads);
        Assert.Equal("out.json", r.JsonPath);
        Assert.True(r.Verbose);
        Assert.True(Request("--quiet").Quiet);

        var options = r.ToFitOptions();
        Assert.Equal(FitMethod.Agq, options.Method);
        Assert.Equal(25, options.NAgq);
        Assert.Equal(DeviceChoice.Cuda, options.Execution.Device);
        Assert.Equal(4, options.Execution.Threads);
        var spec = r.ToModelSpec();
        Assert.Equal(new GlmmGpu.Fitting.ModelSpec("y ~ x + (1 | g)", FamilyKind.Binomial, LinkKind.Probit, "size"), spec);
    }

    [Theory]
    [InlineData("binomial", FamilyKind.Binomial)]
    [InlineData("poisson", FamilyKind.Poisson)]
    [InlineData("gaussian", FamilyKind.Gaussian)]
    [InlineData("gamma", FamilyKind.Gamma)]
    [InlineData("Gamma", FamilyKind.Gamma)]
    [InlineData("negbin", FamilyKind.NegativeBinomial)]
    [InlineData("inverse.gaussian", FamilyKind.InverseGaussian)]
    public void Families(string name, FamilyKind kind) =>
        Assert.Equal(kind, FitCommand.ParseRequest(ArgumentParser.Parse(
            new[] { "--data", "d.csv", "--formula", "y ~ 1 + (1 | g)", "--family", name }, FitCommand.Options, FitCommand.Name)).Family);

    [Theory]
    [InlineData("auto", DeviceChoice.Auto)]
    [InlineData("cpu", DeviceChoice.Cpu)]
    [InlineData("ilgpu-cpu", DeviceChoice.IlgpuCpu)]
    [InlineData("cuda", DeviceChoice.Cuda)]
    [InlineData("opencl", DeviceChoice.OpenCl)]
    [InlineData("CUDA", DeviceChoice.Cuda)]
    public void Devices(string name, DeviceChoice device) => Assert.Equal(device, Request("--device", name).Device);

    [Theory]
    [InlineData(null, null, FamilyKind.Binomial, null, FitMethod.Laplace, 1)]
    [InlineData(null, null, FamilyKind.Gaussian, null, FitMethod.Reml, 1)]
    [InlineData(null, null, FamilyKind.Gaussian, LinkKind.Log, FitMethod.Laplace, 1)]
    [InlineData(null, 25, FamilyKind.Binomial, null, FitMethod.Agq, 25)]
    [InlineData(null, 1, FamilyKind.Poisson, null, FitMethod.Laplace, 1)]
    [InlineData("agq", null, FamilyKind.Binomial, null, FitMethod.Agq, 7)]
    [InlineData("AGQ", 12, FamilyKind.Binomial, null, FitMethod.Agq, 12)]
    [InlineData("laplace", null, FamilyKind.Gaussian, null, FitMethod.Laplace, 1)]
    [InlineData("laplace", 1, FamilyKind.Binomial, null, FitMethod.Laplace, 1)]
    [InlineData("pql", null, FamilyKind.Binomial, null, FitMethod.Pql, 1)]
    [InlineData("ml", null, FamilyKind.Gaussian, null, FitMethod.Ml, 1)]
    [InlineData("reml", null, FamilyKind.Gaussian, null, FitMethod.Reml, 1)]
    public void MethodResolution(string? method, int? nagq, FamilyKind family, LinkKind? link, FitMethod expected, int expectedNodes)
    {
        var (m, k) = FitCommand.ResolveMethod(method, nagq, family, link);
        Assert.Equal(expected, m);
        Assert.Equal(expectedNodes, k);
    }

    [Fact]
    public void RequiredOptionsAreNamed()
    {
        Assert.Contains("option --data is required", Error("--formula", "y ~ 1", "--family", "poisson"));
        Assert.Contains("option --formula is required", Error("--data", "d.csv", "--family", "poisson"));
        Assert.Contains("option --family is required", Error("--data", "d.csv", "--formula", "y ~ 1"));
        Assert.Contains("option --formula needs a model formula", Error("--data", "d.csv", "--formula", "  ", "--family", "poisson"));
    }

    [Fact]
    public void BadValuesNameTheOption()
    {
        Assert.Contains("option --family: unknown family 'binomal'", Error("--data", "d.csv", "--formula", "y ~ 1", "--family", "binomal"));
        Assert.Contains("option --link: unknown link 'lgt'", ErrorWithBase("--link", "lgt"));
        Assert.Contains("option --link: the binomial family does not take the log link", ErrorWithBase("--link", "log"));
        Assert.Contains("option --method: unknown method 'mcmc'", ErrorWithBase("--method", "mcmc"));
        Assert.Contains("option --nagq needs a whole number", ErrorWithBase("--nagq", "many"));
        Assert.Contains("option --nagq must be between 1 and 200, not 0", ErrorWithBase("--nagq", "0"));
        Assert.Contains("option --nagq 5 does not go with --method laplace", ErrorWithBase("--method", "laplace", "--nagq", "5"));
        Assert.Contains("option --nagq must be 2 or more with --method agq", ErrorWithBase("--method", "agq", "--nagq", "1"));
        Assert.Contains("option --nagq applies to --method agq or laplace, not --method pql", ErrorWithBase("--method", "pql", "--nagq", "3"));
        Assert.Contains("option --method reml is for --family gaussian", ErrorWithBase("--method", "reml"));
        Assert.Contains("option --device: unknown device 'gpu'", ErrorWithBase("--device", "gpu"));
        Assert.Contains("option --threads must be between 0 and 4096, not -1", ErrorWithBase("--threads", "-1"));
        Assert.Contains("option --threads needs a whole number", ErrorWithBase("--threads", "two"));
        Assert.Contains("option --factor needs one or more column names", ErrorWithBase("--factor", ","));
        Assert.Contains("option --weights needs a column name", ErrorWithBase("--weights", " "));
        Assert.Contains("options --quiet and --verbose cannot be used together", ErrorWithBase("--quiet", "--verbose"));
    }

    [Fact]
    public void HelpDescribesEveryOption()
    {
        var help = FitCommand.Help;
        foreach (var o in FitCommand.Options)
        {
            Assert.Contains("--" + o.Name, help);
            Assert.Contains(o.Help.Split('\n')[0], help);
        }
        foreach (var name in new[] { "data", "formula", "family", "link", "method", "nagq", "factor", "weights", "device", "threads", "json", "quiet", "verbose", "help" })
            Assert.Contains(FitCommand.Options, o => o.Name == name);
        foreach (var value in new[] { "binomial", "poisson", "gaussian", "gamma", "negbin", "inverse.gaussian", "laplace", "agq", "pql", "ml", "reml", "auto", "cpu", "ilgpu-cpu", "cuda", "opencl" })
            Assert.Contains(value, help);
    }
}

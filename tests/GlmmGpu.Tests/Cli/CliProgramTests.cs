using GlmmGpu.Cli;
using Xunit;
using static GlmmGpu.Tests.Cli.CliRunner;

namespace GlmmGpu.Tests.Cli;

public class CliProgramTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void MainHelpListsCommandsAndOptions(string arg)
    {
        var (code, stdout, stderr) = Run(arg);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        foreach (var s in new[] { "glmm fit", "glmm demo", "--help", "--version", "--data", "--formula", "--family", "--device", "Exit status" })
            Assert.Contains(s, stdout);
    }

    [Fact]
    public void CommandHelpListsEveryOption()
    {
        var (code, fitHelp, _) = Run("fit", "--help");
        Assert.Equal(0, code);
        foreach (var o in FitCommand.Options)
            Assert.Contains("--" + o.Name, fitHelp);
        var (code2, demoHelp, _) = Run("demo", "--help");
        Assert.Equal(0, code2);
        foreach (var o in DemoCommand.Options)
            Assert.Contains("--" + o.Name, demoHelp);
        Assert.Equal(fitHelp, Run("help", "fit").Out);
        Assert.Equal(demoHelp, Run("help", "demo").Out);
        // Help wins over other, even invalid, arguments.
        Assert.Equal(0, Run("fit", "--bogus", "-h").Code);
    }

    [Fact]
    public void VersionPrintsTheProgramName()
    {
        var (code, stdout, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("glmm ", stdout);
    }

    [Theory]
    [InlineData(new string[0], "no command given")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "--bogus" }, "unknown option --bogus")]
    [InlineData(new[] { "fit", "--bogus", "1" }, "unknown option --bogus for 'glmm fit'")]
    [InlineData(new[] { "demo", "--bogus" }, "unknown option --bogus for 'glmm demo'")]
    [InlineData(new[] { "demo", "--device", "tpu" }, "option --device: unknown device 'tpu'")]
    [InlineData(new[] { "fit", "--formula", "y ~ 1", "--family", "poisson" }, "option --data is required")]
    [InlineData(new[] { "help", "nothing" }, "no help for 'nothing'")]
    public void UsageErrorsExitWith2AndOneSentence(string[] args, string expected)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(CliProgram.UsageError, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("glmm: error: ", stderr);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void MissingDataFileIsADataErrorWithoutStackTrace()
    {
        var (code, stdout, stderr) = Run("fit", "--data", "no/such/file.csv", "--formula", "y ~ 1 + (1 | g)", "--family", "poisson");
        Assert.Equal(CliProgram.DataOrFitError, code);
        Assert.Equal("", stdout);
        Assert.Equal("glmm: error: data file 'no/such/file.csv' not found\n", stderr.Replace("\r\n", "\n"));
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var (code, _, stderr) = Run("fit", "--data", "no/such/file.csv", "--formula", "y ~ 1 + (1 | g)", "--family", "poisson", "--verbose");
        Assert.Equal(1, code);
        Assert.StartsWith("glmm: error: data file 'no/such/file.csv' not found", stderr);
        Assert.Contains("GlmmGpu.GlmmException", stderr);
        Assert.Contains(" at ", stderr);
    }

    [Fact]
    public void DirectoryAsDataIsRefused()
    {
        var (code, _, stderr) = Run("fit", "--data", AppContext.BaseDirectory, "--formula", "y ~ 1 + (1 | g)", "--family", "poisson");
        Assert.Equal(1, code);
        Assert.Contains("is a directory, not a data file", stderr);
    }

    [Fact]
    public void JsonIntoAMissingDirectoryFailsBeforeFitting()
    {
        var (code, stdout, stderr) = Run("fit", "--data", Fixture("cbpp.csv"), "--formula", "y ~ 1 + (1 | g)", "--family", "poisson",
            "--json", Path.Combine(AppContext.BaseDirectory, "no-such-dir", "out.json"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("cannot write --json", stderr);
        Assert.Contains("does not exist", stderr);
    }
}

using GlmmGpu.Cli;
using Xunit;

namespace GlmmGpu.Tests.Cli;

/// <summary>Options that contradict each other, or values a command cannot use, are usage errors (exit 2) before any work.</summary>
public class OptionConflictTests
{
    private static string FitError(params string[] args) =>
        Assert.Throws<UsageException>(() => FitCommand.ParseRequest(ArgumentParser.Parse(
            new[] { "--data", "d.csv", "--formula", "y ~ x + (1 | g)" }.Concat(args).ToArray(), FitCommand.Options, FitCommand.Name))).Message;

    private static (int Code, string Err) Run(params string[] args)
    {
        var stderr = new StringWriter();
        int code = CliProgram.Run(args, new StringWriter(), stderr);
        return (code, stderr.ToString().Trim());
    }

    [Fact]
    public void MaximumLikelihoodForALinearModelNeedsTheGaussianIdentity()
    {
        Assert.Equal("option --method ml is for --family gaussian (a linear mixed model), not poisson; use laplace or agq",
            FitError("--family", "poisson", "--method", "ml"));
        Assert.Equal("option --method reml fits a linear mixed model, with the identity link, not log; use laplace or agq",
            FitError("--family", "gaussian", "--link", "log", "--method", "reml"));
    }

    [Fact]
    public void PqlScaleWithAnotherMethodIsRefusedWhateverItsValue()
    {
        Assert.Equal("option --pql-scale applies only to --method pql", FitError("--family", "binomial", "--pql-scale", "estimate"));
        Assert.Equal("option --pql-scale applies only to --method pql", FitError("--family", "binomial", "--method", "agq", "--pql-scale", "fixed"));
    }

    [Fact]
    public void SimulateRefusesMoreGroupsThanRowsAndALinkTheFamilyDoesNotTake()
    {
        var (code, err) = Run("simulate", "--rows", "10", "--groups", "100", "--family", "poisson", "--out", "never-written.csv");
        Assert.Equal(2, code);
        Assert.Equal("glmm: error: option --groups must be between 2 and the number of rows (10), not 100", err);
        (code, err) = Run("simulate", "--rows", "100", "--groups", "10", "--family", "poisson", "--link", "logit", "--out", "never-written.csv");
        Assert.Equal(2, code);
        Assert.Equal("glmm: error: option --link: the poisson family does not take the logit link", err);
        Assert.False(File.Exists("never-written.csv"));
    }
}

using GlmmGpu.Cli;

namespace GlmmGpu.Tests.Cli;

/// <summary>The <c>glmm</c> program run in-process as a user runs it: exit code, stdout and stderr.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliProgram.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

using GlmmGpu.Cli;
using Xunit;

namespace GlmmGpu.Tests.Cli;

public class ArgumentParserTests
{
    private static readonly OptionSpec[] Specs =
    {
        new("data", "FILE", "the data"),
        new("factor", "a,b", "factors", Repeatable: true),
        new("quiet", null, "quiet"),
        new("help", null, "help", ShortName: "h"),
    };

    private static ParsedArguments Parse(params string[] args) => ArgumentParser.Parse(args, Specs, "glmm test");

    private static string Error(params string[] args) => Assert.Throws<UsageException>(() => Parse(args)).Message;

    [Fact]
    public void ReadsValuesInBothForms()
    {
        Assert.Equal("a.csv", Parse("--data", "a.csv").Value("data"));
        Assert.Equal("a.csv", Parse("--data=a.csv").Value("data"));
        Assert.Equal("x=y.csv", Parse("--data=x=y.csv").Value("data"));
        Assert.Null(Parse().Value("data"));
        Assert.False(Parse().Has("data"));
    }

    [Fact]
    public void ValuesMayStartWithOneDash() => Assert.Equal("-1", Parse("--data", "-1").Value("data"));

    [Fact]
    public void FlagsAndShortHelp()
    {
        var a = Parse("--quiet", "-h");
        Assert.True(a.Has("quiet"));
        Assert.True(a.Has("help"));
        Assert.Equal("", a.Value("quiet"));
    }

    [Fact]
    public void RepeatableOptionsCollectEveryValue() =>
        Assert.Equal(new[] { "a,b", "c" }, Parse("--factor", "a,b", "--factor=c").Values("factor"));

    [Fact]
    public void UnknownOptionIsNamedWithASuggestion()
    {
        var m = Error("--dta", "x.csv");
        Assert.Contains("unknown option --dta", m);
        Assert.Contains("did you mean --data?", m);
        var far = Error("--zzzzzz");
        Assert.Contains("unknown option --zzzzzz", far);
        Assert.Contains("glmm test --help", far);
        Assert.Contains("unknown option -x", Error("-x"));
    }

    [Fact]
    public void MissingValueNamesTheOption()
    {
        Assert.Contains("option --data needs a value (FILE)", Error("--data"));
        Assert.Contains("option --data needs a value", Error("--data", "--quiet"));
        Assert.Contains("option --data needs a value", Error("--data="));
    }

    [Fact]
    public void FlagsTakeNoValue() => Assert.Contains("option --quiet takes no value", Error("--quiet=yes"));

    [Fact]
    public void SingleValueOptionsMayAppearOnce() =>
        Assert.Contains("option --data was given more than once", Error("--data", "a", "--data", "b"));

    [Fact]
    public void PositionalsAreRefusedUnlessAllowed()
    {
        Assert.Contains("unexpected argument 'extra'", Error("extra"));
        var a = ArgumentParser.Parse(new[] { "one", "--quiet" }, Specs, "glmm test", maxPositionals: 1);
        Assert.Equal(new[] { "one" }, a.Positionals);
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        var a = ArgumentParser.Parse(new[] { "--", "--quiet" }, Specs, "glmm test", maxPositionals: 1);
        Assert.False(a.Has("quiet"));
        Assert.Equal(new[] { "--quiet" }, a.Positionals);
    }

    [Fact]
    public void HelpIsFoundAnywhereBeforeDoubleDash()
    {
        Assert.True(ArgumentParser.WantsHelp(new[] { "--data", "x", "--help" }));
        Assert.True(ArgumentParser.WantsHelp(new[] { "-h" }));
        Assert.False(ArgumentParser.WantsHelp(new[] { "--", "--help" }));
        Assert.False(ArgumentParser.WantsHelp(new[] { "--data", "x" }));
    }

    [Fact]
    public void FormatOptionsListsEveryOptionWithItsHelp()
    {
        var text = ArgumentParser.FormatOptions(Specs);
        Assert.Contains("--data FILE", text);
        Assert.Contains("--factor a,b", text);
        Assert.Contains("-h, --help", text);
        foreach (var s in Specs)
            Assert.Contains(s.Help, text);
    }
}

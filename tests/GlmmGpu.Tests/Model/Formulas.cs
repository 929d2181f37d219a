using GlmmGpu.Specification;

namespace GlmmGpu.Tests.Model;

/// <summary>
/// Formula trees built by hand (the parser is written on another branch), with shorthands that read like
/// the formula: <c>F("y", Terms("x"), R("g"))</c> is <c>y ~ x + (1 | g)</c>.
/// </summary>
internal static class Formulas
{
    public static Expression Col(string name) => new ColumnExpression(name);

    public static Term T(params string[] columns) => new(columns.Select(Col).ToArray());

    public static Term T(params Expression[] variables) => new(variables);

    public static RandomTerm R(string group, params string[] slopes) =>
        new(true, slopes.Select(s => T(s)).ToArray(), group.Split(':'), true);

    public static ModelFormula F(ResponseSpec response, bool intercept, Term[] terms, params RandomTerm[] random) =>
        new("(built in a test)", response, intercept, terms, Array.Empty<Expression>(), random);

    public static ModelFormula F(string response, Term[] terms, params RandomTerm[] random) =>
        F(new SingleResponse(Col(response)), true, terms, random);

    public static Term[] Terms(params string[] columns) => columns.Select(c => T(c)).ToArray();

    /// <summary>The formula of every reference fit, as the parser will give it.</summary>
    public static readonly IReadOnlyDictionary<string, ModelFormula> Reference = new Dictionary<string, ModelFormula>
    {
        ["cbind(incidence, size - incidence) ~ period + (1 | herd)"] = F(
            new BinomialResponse(Col("incidence"), new BinaryExpression('-', Col("size"), Col("incidence"))),
            true, Terms("period"), R("herd")),
        ["TICKS ~ YEAR + cHEIGHT + (1 | BROOD)"] = F("TICKS", Terms("YEAR", "cHEIGHT"), R("BROOD")),
        ["y ~ x + z + (1 + x | g)"] = F("y", Terms("x", "z"), R("g", "x")),
        ["y ~ x + (1 | g)"] = F("y", Terms("x"), R("g")),
        ["y ~ x + (1 + x | g)"] = F("y", Terms("x"), R("g", "x")),
        ["y ~ x + (1 + x || g)"] = F("y", Terms("x"), new RandomTerm(true, new[] { T("x") }, new[] { "g" }, false)),
        ["Reaction ~ Days + (Days | Subject)"] = F("Reaction", Terms("Days"), R("Subject", "Days")),
        ["r2 ~ Anger + Gender + btype + situ + (1 | id)"] = F("r2", Terms("Anger", "Gender", "btype", "situ"), R("id")),
        ["r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)"] =
            F("r2", Terms("Anger", "Gender", "btype", "situ"), R("id"), R("item")),
        // Several grouping factors (issue 17): crossed, nested (lme4's a/b is a and a:b) and three at once.
        ["strength ~ 1 + (1 | batch/cask)"] = F("strength", Terms(), R("batch"), R("batch:cask")),
        ["diameter ~ 1 + (1 | plate) + (1 | sample)"] = F("diameter", Terms(), R("plate"), R("sample")),
        ["y ~ x + (1 | subj) + (1 | item)"] = F("y", Terms("x"), R("subj"), R("item")),
        ["y ~ x + (1 + x | subj) + (1 | item)"] = F("y", Terms("x"), R("subj", "x"), R("item")),
        ["count ~ x + (1 + x | subj) + (1 | item)"] = F("count", Terms("x"), R("subj", "x"), R("item")),
        ["TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | BROOD) + (1 | LOCATION)"] =
            F("TICKS", Terms("YEAR", "cHEIGHT"), R("INDEX"), R("BROOD"), R("LOCATION")),
        // PQL with nested factors (glmmPQL's random = ~ 1 | outer/inner).
        ["TICKS ~ YEAR + cHEIGHT + (1 | LOCATION/BROOD)"] = F("TICKS", Terms("YEAR", "cHEIGHT"), R("LOCATION"), R("LOCATION:BROOD")),
        ["y ~ x + z + (1 | school/class)"] = F("y", Terms("x", "z"), R("school"), R("school:class")),
        ["count ~ x + (1 + x | school) + (1 | school:class)"] = F("count", Terms("x"), R("school", "x"), R("school:class")),
    };
}

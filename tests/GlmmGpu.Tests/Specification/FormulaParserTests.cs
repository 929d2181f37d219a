using GlmmGpu.Specification;
using Xunit;

namespace GlmmGpu.Tests.Specification;

public class FormulaParserTests
{
    static ModelFormula Parse(string formula) => FormulaParser.Parse(formula);

    static string[] Labels(ModelFormula f) => f.FixedTerms.Select(t => t.Label).ToArray();

    static string[] Labels(RandomTerm r) => r.Terms.Select(t => t.Label).ToArray();

    static void AssertRandom(RandomTerm r, bool intercept, string[] terms, string[] grouping, bool correlated = true)
    {
        Assert.Equal(intercept, r.HasIntercept);
        Assert.Equal(terms, Labels(r));
        Assert.Equal(grouping, r.GroupingFactors);
        Assert.Equal(correlated, r.Correlated);
    }

    static string Column(ModelFormula f) => Assert.IsType<ColumnExpression>(Assert.IsType<SingleResponse>(f.Response).Value).Name;

    // ---- the formulas of the reference fixtures ----

    [Fact]
    public void Cbpp_BinomialResponseWithArithmeticFailures()
    {
        var f = Parse("cbind(incidence, size - incidence) ~ period + (1 | herd)");
        var response = Assert.IsType<BinomialResponse>(f.Response);
        Assert.Equal("incidence", Assert.IsType<ColumnExpression>(response.Successes).Name);
        var failures = Assert.IsType<BinaryExpression>(response.Failures);
        Assert.Equal('-', failures.Operator);
        Assert.Equal("size - incidence", failures.Text);
        Assert.True(f.HasIntercept);
        Assert.Equal(new[] { "period" }, Labels(f));
        Assert.Empty(f.Offsets);
        AssertRandom(Assert.Single(f.RandomTerms), true, [], ["herd"]);
        Assert.Equal(new[] { "incidence", "size", "period", "herd" }, f.Columns());
    }

    [Fact]
    public void Grouseticks()
    {
        var f = Parse("TICKS ~ YEAR + cHEIGHT + (1 | BROOD)");
        Assert.Equal("TICKS", Column(f));
        Assert.True(f.HasIntercept);
        Assert.Equal(new[] { "YEAR", "cHEIGHT" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, [], ["BROOD"]);
    }

    [Fact]
    public void SimBinarySlope()
    {
        var f = Parse("y ~ x + z + (1 + x | g)");
        Assert.Equal("y", Column(f));
        Assert.Equal(new[] { "x", "z" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, ["x"], ["g"]);
    }

    [Fact]
    public void RandomIntercept()
    {
        var f = Parse("y ~ x + (1 | g)");
        Assert.True(f.HasIntercept);
        Assert.Equal(new[] { "x" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, [], ["g"]);
    }

    [Fact]
    public void CorrelatedSlope()
    {
        var f = Parse("y ~ x + (1 + x | g)");
        Assert.Equal(new[] { "x" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, ["x"], ["g"]);
    }

    [Fact]
    public void UncorrelatedSlope()
    {
        var f = Parse("y ~ x + (1 + x || g)");
        Assert.Equal(new[] { "x" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, ["x"], ["g"], correlated: false);
        Assert.Equal("(1 + x || g)", f.RandomTerms[0].ToString());
    }

    [Fact]
    public void Sleepstudy_InterceptImplied()
    {
        var f = Parse("Reaction ~ Days + (Days | Subject)");
        Assert.Equal("Reaction", Column(f));
        Assert.Equal(new[] { "Days" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, ["Days"], ["Subject"]);
    }

    [Fact]
    public void VerbAgg()
    {
        var f = Parse("r2 ~ Anger + Gender + btype + situ + (1 | id)");
        Assert.Equal("r2", Column(f));
        Assert.Equal(new[] { "Anger", "Gender", "btype", "situ" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, [], ["id"]);
    }

    [Fact]
    public void VerbAggCrossed_RandomTermsInWrittenOrder()
    {
        var f = Parse("r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)");
        Assert.Equal(new[] { "Anger", "Gender", "btype", "situ" }, Labels(f));
        Assert.Equal(2, f.RandomTerms.Count);
        AssertRandom(f.RandomTerms[0], true, [], ["id"]);
        AssertRandom(f.RandomTerms[1], true, [], ["item"]);
    }

    // ---- response ----

    [Fact]
    public void Response_Call()
    {
        var f = Parse("log(y) ~ x");
        var call = Assert.IsType<CallExpression>(Assert.IsType<SingleResponse>(f.Response).Value);
        Assert.Equal("log", call.Function);
        Assert.Equal("log(y)", call.Text);
    }

    [Fact]
    public void Response_Proportion()
    {
        var f = Parse("incidence/size ~ period + (1 | herd)");
        var ratio = Assert.IsType<BinaryExpression>(Assert.IsType<SingleResponse>(f.Response).Value);
        Assert.Equal('/', ratio.Operator);
        Assert.Equal("incidence / size", ratio.Text);
    }

    [Fact]
    public void Response_CbindWithArithmeticOnBothSides()
    {
        var f = Parse("cbind(2*a, (n - a) + 1) ~ x");
        var r = Assert.IsType<BinomialResponse>(f.Response);
        Assert.Equal("2 * a", r.Successes.Text);
        Assert.Equal("(n - a) + 1", r.Failures.Text);
    }

    // ---- names and numbers ----

    [Fact]
    public void Names_DotsUnderscoresAndBackQuotes()
    {
        var f = Parse("seizure.rate ~ x_1 + `my col` + .hidden + (1 | `my group`)");
        Assert.Equal("seizure.rate", Column(f));
        Assert.Equal(new[] { "x_1", "my col", ".hidden" }, Labels(f));
        Assert.Equal(new[] { "my group" }, f.RandomTerms[0].GroupingFactors);
    }

    [Fact]
    public void Numbers_InsideI()
    {
        var f = Parse("y ~ I(2 * x) + I(0.5 + x) + I(x - 1e-3) + I(.25 * x)");
        Assert.Equal(new[] { "I(2 * x)", "I(0.5 + x)", "I(x - 0.001)", "I(0.25 * x)" }, Labels(f));
    }

    // ---- fixed part ----

    [Theory]
    [InlineData("y ~ x", true)]
    [InlineData("y ~ 1 + x", true)]
    [InlineData("y ~ 0 + x", false)]
    [InlineData("y ~ x + 0", false)]
    [InlineData("y ~ x - 1", false)]
    [InlineData("y ~ -1 + x", false)]
    [InlineData("y ~ x + -1", false)]
    [InlineData("y ~ x - 1 + 1", true)]
    [InlineData("y ~ 0 + x + 1", true)]
    [InlineData("y ~ x - 0", true)]
    public void Intercept(string formula, bool intercept)
    {
        var f = Parse(formula);
        Assert.Equal(intercept, f.HasIntercept);
        Assert.Equal(new[] { "x" }, Labels(f));
    }

    [Fact]
    public void InterceptOnly()
    {
        var f = Parse("y ~ 1 + (1 | g)");
        Assert.True(f.HasIntercept);
        Assert.Empty(f.FixedTerms);
        Assert.Single(f.RandomTerms);
    }

    [Theory]
    [InlineData("y ~ a*b", "a,b,a:b")]
    [InlineData("y ~ a*b - a:b", "a,b")]
    [InlineData("y ~ a*b - b:a", "a,b")]
    [InlineData("y ~ a*b - a", "b,a:b")]
    [InlineData("y ~ a*b*c", "a,b,c,a:b,a:c,b:c,a:b:c")]
    [InlineData("y ~ a:b", "a:b")]
    [InlineData("y ~ b:a", "b:a")]
    [InlineData("y ~ a:b + b:a", "a:b")]
    [InlineData("y ~ b:a + a*b", "a,b,b:a")]
    [InlineData("y ~ a:a", "a")]
    [InlineData("y ~ x + x", "x")]
    [InlineData("y ~ a:b + c", "c,a:b")]
    [InlineData("y ~ a:b:c + a:b + d", "d,a:b,a:b:c")]
    [InlineData("y ~ (a + b + c)^2", "a,b,c,a:b,a:c,b:c")]
    [InlineData("y ~ (a + b + c)^3", "a,b,c,a:b,a:c,b:c,a:b:c")]
    [InlineData("y ~ (a + b)^1", "a,b")]
    [InlineData("y ~ (a + b)^10", "a,b,a:b")]
    [InlineData("y ~ (a + b + c)^2 - a:b", "a,b,c,a:c,b:c")]
    [InlineData("y ~ (a + b):(c + d)", "a:c,a:d,b:c,b:d")]
    [InlineData("y ~ a*(b + c)", "a,b,c,a:b,a:c")]
    [InlineData("y ~ (a + b) + c", "a,b,c")]
    [InlineData("y ~ a/b", "a,a:b")]
    [InlineData("y ~ (a + b)/c", "a,b,a:b:c")]
    [InlineData("y ~ -a + b", "b")]
    [InlineData("y ~ a + b - a", "b")]
    public void TermAlgebra(string formula, string labels)
    {
        Assert.Equal(labels.Split(','), Labels(Parse(formula)));
    }

    [Fact]
    public void Interaction_IsAListOfVariables()
    {
        var term = Assert.Single(Parse("y ~ lbase:trt").FixedTerms);
        Assert.Equal(2, term.Order);
        Assert.Equal(new[] { "lbase", "trt" }, term.Variables.Select(v => Assert.IsType<ColumnExpression>(v).Name));
    }

    [Fact]
    public void I_BecomesACallWithItsArithmetic()
    {
        var f = Parse("y ~ x + I(x ^ 2)");
        Assert.Equal(new[] { "x", "I(x^2)" }, Labels(f));
        var call = Assert.IsType<CallExpression>(Assert.Single(f.FixedTerms[1].Variables));
        Assert.Equal("I", call.Function);
        var power = Assert.IsType<BinaryExpression>(call.Argument);
        Assert.Equal('^', power.Operator);
        Assert.Equal("x", Assert.IsType<ColumnExpression>(power.Left).Name);
        Assert.Equal(2.0, Assert.IsType<NumberExpression>(power.Right).Value);
    }

    [Theory]
    [InlineData("y ~ I(-x)", "I(-x)")]
    [InlineData("y ~ I(-x^2)", "I(-x^2)")]
    [InlineData("y ~ I((x + 1)^2)", "I((x + 1)^2)")]
    [InlineData("y ~ I(a * b / c - d)", "I(a * b / c - d)")]
    [InlineData("y ~ I(x^2^3)", "I(x^2^3)")]
    [InlineData("y ~ I(2^-x)", "I(2^-x)")]
    [InlineData("y ~ I(log(x) + 1)", "I(log(x) + 1)")]
    [InlineData("y ~ log(x + 1)", "log(x + 1)")]
    [InlineData("y ~ exp(z)", "exp(z)")]
    [InlineData("y ~ sqrt(w)", "sqrt(w)")]
    [InlineData("y ~ I(x)^2", "I(x)")]
    public void Calls_Text(string formula, string label)
    {
        var term = Assert.Single(Parse(formula).FixedTerms);
        Assert.Equal(label, term.Label);
        Assert.IsType<CallExpression>(Assert.Single(term.Variables));
    }

    [Fact]
    public void UnaryMinus_BindsLooserThanPower()
    {
        var call = (CallExpression)Parse("y ~ I(-x^2)").FixedTerms[0].Variables[0];
        var negate = Assert.IsType<NegateExpression>(call.Argument);
        Assert.Equal('^', Assert.IsType<BinaryExpression>(negate.Operand).Operator);
    }

    [Fact]
    public void Calls_SpaceBeforeParenthesis()
    {
        Assert.Equal(new[] { "log(x)", "I(x^2)" }, Labels(Parse("y ~ log (x) + I (x ^ 2)")));
    }

    [Fact]
    public void Calls_InInteractions()
    {
        var f = Parse("y ~ log(x):z + I(x^2)");
        Assert.Equal(new[] { "I(x^2)", "log(x):z" }, Labels(f));
    }

    [Fact]
    public void Offset_GoesToOffsets()
    {
        var f = Parse("y ~ x + offset(log(n)) + offset(t) + (1 | g)");
        Assert.Equal(new[] { "x" }, Labels(f));
        Assert.Equal(new[] { "log(n)", "t" }, f.Offsets.Select(o => o.Text));
        Assert.IsType<CallExpression>(f.Offsets[0]);
        Assert.Equal(new[] { "y", "x", "n", "t", "g" }, f.Columns());
    }

    // ---- random part ----

    [Theory]
    [InlineData("y ~ x + (0 + x | g)")]
    [InlineData("y ~ x + (-1 + x | g)")]
    [InlineData("y ~ x + (x - 1 | g)")]
    [InlineData("y ~ x + (x + 0 | g)")]
    public void Random_WithoutIntercept(string formula)
    {
        AssertRandom(Assert.Single(Parse(formula).RandomTerms), false, ["x"], ["g"]);
    }

    [Fact]
    public void Random_UncorrelatedWithoutExplicitIntercept()
    {
        AssertRandom(Assert.Single(Parse("y ~ x + (x || g)").RandomTerms), true, ["x"], ["g"], correlated: false);
    }

    [Fact]
    public void Random_Nested_ExpandsToTwoTerms()
    {
        var f = Parse("y ~ x + (1 | a/b)");
        Assert.Equal(2, f.RandomTerms.Count);
        AssertRandom(f.RandomTerms[0], true, [], ["a"]);
        AssertRandom(f.RandomTerms[1], true, [], ["a", "b"]);
        Assert.Equal("a:b", f.RandomTerms[1].GroupingLabel);
    }

    [Fact]
    public void Random_DeeplyNested()
    {
        var f = Parse("y ~ (x | a/b/c)");
        Assert.Equal(new[] { "a", "a:b", "a:b:c" }, f.RandomTerms.Select(r => r.GroupingLabel));
        Assert.All(f.RandomTerms, r => Assert.Equal(new[] { "x" }, Labels(r)));
    }

    [Fact]
    public void Random_InteractionGrouping()
    {
        AssertRandom(Assert.Single(Parse("y ~ x + (1 | a:b)").RandomTerms), true, [], ["a", "b"]);
    }

    [Fact]
    public void Random_TermAlgebraOnTheLeftOfTheBar()
    {
        var r = Assert.Single(Parse("y ~ (a:b + x*z + I(x^2) | g)").RandomTerms);
        AssertRandom(r, true, ["x", "z", "I(x^2)", "a:b", "x:z"], ["g"]);
    }

    [Fact]
    public void Random_KeepWrittenOrderAmongFixedTerms()
    {
        var f = Parse("y ~ (1 | b) + x + (0 + x | a) + z");
        Assert.Equal(new[] { "x", "z" }, Labels(f));
        AssertRandom(f.RandomTerms[0], true, [], ["b"]);
        AssertRandom(f.RandomTerms[1], false, ["x"], ["a"]);
    }

    [Fact]
    public void Random_InsideExtraParentheses()
    {
        var f = Parse("y ~ (x + ((1 | g)))");
        Assert.Equal(new[] { "x" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, [], ["g"]);
    }

    [Fact]
    public void Random_Only()
    {
        var f = Parse("y ~ (1 | g)");
        Assert.True(f.HasIntercept);
        Assert.Empty(f.FixedTerms);
        Assert.Single(f.RandomTerms);
    }

    // ---- whitespace and source ----

    [Fact]
    public void Whitespace_AnywhereAndSourceTrimmed()
    {
        var f = Parse("  \ty~x+I(x^2)+(1+x||g)\n ");
        Assert.Equal("y~x+I(x^2)+(1+x||g)", f.Source);
        Assert.Equal(f.Source, f.ToString());
        Assert.Equal(new[] { "x", "I(x^2)" }, Labels(f));
        AssertRandom(Assert.Single(f.RandomTerms), true, ["x"], ["g"], correlated: false);

        var spaced = Parse(" y  ~  x  :  z  +  (  1  |  a  /  b  ) ");
        Assert.Equal(new[] { "x:z" }, Labels(spaced));
        Assert.Equal(2, spaced.RandomTerms.Count);
    }

    // ---- errors ----

    static FormulaException Fails(string formula, string fragment)
    {
        var e = Assert.Throws<FormulaException>(() => Parse(formula));
        Assert.Contains(fragment, e.Message);
        Assert.InRange(e.Position, 1, formula.Length + 1);
        return e;
    }

    [Theory]
    [InlineData("y ~ (x + )", "unexpected ')' after 'y ~ (x +'")]
    [InlineData("y ~ x +", "unexpected end of formula after 'y ~ x +'")]
    [InlineData("y ~ x z", "unexpected 'z' after 'y ~ x'")]
    [InlineData("y x", "missing '~'")]
    [InlineData("cbind(a, b)", "missing '~'")]
    [InlineData("~ x", "missing response before '~'")]
    [InlineData("y ~", "missing terms after '~'")]
    [InlineData("", "empty formula")]
    [InlineData("   ", "empty formula")]
    [InlineData("y ~ x ~ z", "a second '~'")]
    [InlineData("y ~ foo(x)", "unknown function 'foo' in 'foo(x)': use I(), log(), exp(), sqrt() or offset()")]
    [InlineData("y ~ I(foo(x))", "unknown function 'foo' in 'foo(x)'")]
    [InlineData("foo(y) ~ x", "unknown function 'foo'")]
    [InlineData("y ~ (x + z", "unbalanced parenthesis")]
    [InlineData("y ~ x + z)", "unbalanced parenthesis")]
    [InlineData("y ~ log(x", "unbalanced parenthesis")]
    [InlineData("y ~ x + (1 | )", "empty grouping factor in '(1 | )'")]
    [InlineData("y ~ x + ( | g)", "empty left side of '|' in '( | g)'")]
    [InlineData("y ~ x + 1 | g", "'|' outside parentheses")]
    [InlineData("y ~ x + 1 || g", "'||' outside parentheses")]
    [InlineData("y | g ~ x", "'|' outside parentheses")]
    [InlineData("cbind(a) ~ x", "cbind() needs two arguments, successes and failures: 'cbind(a)'")]
    [InlineData("cbind() ~ x", "cbind() needs two arguments")]
    [InlineData("cbind(a, b, c) ~ x", "cbind() needs two arguments")]
    [InlineData("cbind(a b) ~ x", "unexpected 'b'")]
    [InlineData("y ~ cbind(a, b)", "cbind() is allowed only as the response")]
    [InlineData("log(cbind(a, b)) ~ x", "cbind() must be the whole response, not inside log(): 'cbind(a, b)'")]
    [InlineData("y ~ log (foo (x))", "unknown function 'foo' in 'foo (x)'")]
    [InlineData("y + cbind(a, b) ~ x", "cbind() must be the whole response, not part of it")]
    [InlineData("y ~ I(1 | g)", "a random-effects term inside I(): 'I(1 | g)'")]
    [InlineData("y ~ I((x | g))", "a random-effects term inside I(): '(x | g)'")]
    [InlineData("y ~ log(x || g)", "a random-effects term inside log(): 'log(x || g)'")]
    [InlineData("cbind(a, b | g) ~ x", "a random-effects term inside cbind(): 'cbind(a, b | g)'")]
    [InlineData("(y | g) ~ x", "a random-effects term inside the response: '(y | g)'")]
    [InlineData("y ~ x + 2", "a number cannot be a term: '2'")]
    [InlineData("y ~ (a + b)^x", "'^' needs a whole number of at least 1 in '(a + b)^x'")]
    [InlineData("y ~ (a + b)^0", "'^' needs a whole number")]
    [InlineData("y ~ (a + b)^1.5", "'^' needs a whole number")]
    [InlineData("y ~ x:(1 | g)", "a random-effects term cannot be part of ':' in 'x:(1 | g)'")]
    [InlineData("y ~ x*(1 | g)", "a random-effects term cannot be part of '*'")]
    [InlineData("y ~ (x + (1 | g))^2", "a random-effects term cannot be part of '^'")]
    [InlineData("y ~ offset(z):x", "offset() cannot be part of ':'")]
    [InlineData("y ~ 1:x", "the intercept ('1' or '0') cannot be part of ':'")]
    [InlineData("y ~ x - (1 | g)", "'-' can remove only fixed terms or the intercept, not '(1 | g)'")]
    [InlineData("y ~ x - offset(z)", "'-' can remove only fixed terms")]
    [InlineData("y ~ (1 | log(g))", "the grouping factor must be column names joined by ':' or '/': 'log' in '(1 | log(g))'")]
    [InlineData("y ~ (1 | g + h)", "the grouping factor must be column names joined by ':' or '/': '+'")]
    [InlineData("y ~ (1 | 2)", "the grouping factor must be column names")]
    [InlineData("y ~ (1 | g | h)", "the grouping factor must be column names")]
    [InlineData("y ~ ((1 | g) | h)", "a random-effects term inside another")]
    [InlineData("y ~ (offset(z) | g)", "offset() inside a random-effects term")]
    [InlineData("y ~ (0 | g)", "has neither an intercept nor a variable")]
    [InlineData("y ~ a %in% b", "operator '%in%' is not supported")]
    [InlineData("y ~ x $ z", "unexpected character '$' after 'y ~ x'")]
    [InlineData("y ~ `abc", "unterminated back-quoted name")]
    [InlineData("y ~ ``", "empty back-quoted name")]
    [InlineData("y ~ .", "'.' (all other columns) is not supported")]
    [InlineData("y ~ log(x, 2)", "log() takes one argument in 'log(x, 2)'")]
    [InlineData("y ~ log()", "log() needs an argument in 'log()'")]
    [InlineData("y ~ I(offset(x))", "offset() must be a term of the model")]
    [InlineData("y ~ 1e", "malformed number '1e'")]
    [InlineData("y ~ I(1e999 * x)", "number '1e999' is out of range")]
    [InlineData("y ~ ()", "unexpected ')'")]
    [InlineData("y ~ x + ,", "unexpected ','")]
    public void Errors_NameWhatIsWrong(string formula, string fragment)
    {
        var e = Fails(formula, fragment);
        Assert.StartsWith("formula error at position ", e.Message);
    }

    [Theory]
    [InlineData("y ~ foo(x)", 5)]
    [InlineData("y ~ x + (1 | )", 14)]
    [InlineData("y ~ (x + )", 10)]
    [InlineData("y ~ x + 1 | g", 11)]
    [InlineData("y ~ (x + z", 5)]
    [InlineData("y ~ x $ z", 7)]
    [InlineData("y x", 1)]
    public void Errors_PointAtTheTextAtFault(string formula, int position)
    {
        Assert.Equal(position, Assert.Throws<FormulaException>(() => Parse(formula)).Position);
    }

    [Fact]
    public void Errors_NullIsAnArgumentError()
    {
        Assert.Throws<ArgumentNullException>(() => Parse(null!));
    }

    [Fact]
    public void Errors_DeepNestingIsRejectedNotOverflowed()
    {
        Fails("y ~ " + new string('(', 5000) + "x" + new string(')', 5000), "nested too deeply");
        Fails("y ~ I(" + new string('-', 100_000) + "x)", "nested too deeply");
        Fails("y ~ I(x" + string.Concat(Enumerable.Repeat("^x", 100_000)) + ")", "nested too deeply");
        Fails("y ~ " + string.Concat(Enumerable.Repeat("I(", 5000)) + "x" + new string(')', 5000), "nested too deeply");
    }

    [Fact]
    public void LongFormulas_AreFine()
    {
        var f = Parse("y ~ " + string.Join(" + ", Enumerable.Range(1, 2000).Select(i => $"x{i}")) + " + (1 | g)");
        Assert.Equal(2000, f.FixedTerms.Count);
        // Unary signs are read in a loop, not by recursion: an even number of minuses leaves x in the model.
        Assert.Equal(new[] { "x" }, Labels(Parse("y ~ " + new string('-', 20_000) + "x")));
    }

    // ---- fuzzing: any input either parses or raises a FormulaException ----

    static void ParsesOrExplains(string formula)
    {
        try
        {
            var f = Parse(formula);
            _ = f.Columns().ToList();
            _ = f.RandomTerms.Select(r => r.ToString()).ToList();
        }
        catch (FormulaException e)
        {
            Assert.InRange(e.Position, 1, formula.Length + 1);
        }
    }

    [Fact]
    public void Fuzz_RandomStrings()
    {
        const string alphabet = "yxgab01.2e_`~+-*/^:(),|| %I$";
        string[] words = ["log(", "I(", "offset(", "cbind(", "exp(", "sqrt(", "foo(", "1e-3", "||", " ~ "];
        var random = new Random(20240611);
        for (int n = 0; n < 20_000; n++)
        {
            var chars = new System.Text.StringBuilder();
            int length = random.Next(0, 30);
            for (int i = 0; i < length; i++)
                chars.Append(random.Next(6) == 0 ? words[random.Next(words.Length)] : alphabet[random.Next(alphabet.Length)].ToString());
            ParsesOrExplains(chars.ToString());
        }
    }

    [Fact]
    public void Fuzz_MutatedValidFormulas()
    {
        string[] seeds =
        [
            "cbind(incidence, size - incidence) ~ period + (1 | herd)",
            "y ~ x + (1 + x || g)",
            "y ~ a*b - a:b + I(x^2) + offset(log(n)) + (0 + x | a/b)",
            "log(y) ~ (a + b + c)^2 + `my col` + (x | a:b)",
        ];
        const string pieces = "()|:+-*/^~,`1 0xI";
        var random = new Random(7);
        for (int n = 0; n < 20_000; n++)
        {
            var text = new System.Text.StringBuilder(seeds[random.Next(seeds.Length)]);
            for (int edits = random.Next(1, 4); edits > 0 && text.Length > 0; edits--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, 1); break;
                    case 1: text.Insert(at, pieces[random.Next(pieces.Length)]); break;
                    default: text[at] = pieces[random.Next(pieces.Length)]; break;
                }
            }
            ParsesOrExplains(text.ToString());
        }
    }
}

using GlmmGpu.Results;
using Xunit;

namespace GlmmGpu.Tests.Results;

/// <summary>Expected strings are what R 4.2 prints for the same calls.</summary>
public class RFormatTests
{
    [Theory]
    [InlineData(0.3, 7, "0.3")]
    [InlineData(123456.0, 4, "123456")]
    [InlineData(100000.0, 7, "1e+05")]
    [InlineData(0.0001, 7, "1e-04")]
    [InlineData(1e-10, 3, "1e-10")]
    [InlineData(3.14159265, 3, "3.14")]
    [InlineData(-2.5, 7, "-2.5")]
    [InlineData(0.0, 7, "0")]
    [InlineData(1234567.1, 7, "1234567")]
    [InlineData(2.220446049250313e-16, 1, "2e-16")]
    [InlineData(1e300, 3, "1e+300")]
    [InlineData(double.NaN, 4, "NaN")]
    [InlineData(double.PositiveInfinity, 4, "Inf")]
    [InlineData(double.NegativeInfinity, 4, "-Inf")]
    public void FormatsOneNumberLikeR(double x, int digits, string expected) =>
        Assert.Equal(expected, RFormat.Format(x, digits));

    [Fact]
    public void FormatsVectorsWithCommonDecimalsAndWidth()
    {
        Assert.Equal(new[] { "-1.3983", " 0.2312" }, RFormat.Format(new[] { -1.3983, 0.2312 }, 4));
        Assert.Equal(new[] { "612.10", " 35.07", "654.94" }, RFormat.Format(new[] { 612.0997, 35.0717, 654.9399 }, 4));
        Assert.Equal(new[] { "1e+10", "1e+00" }, RFormat.Format(new[] { 1e10, 1 }, 7));
        Assert.Equal(new[] { "0.001068", "0.000474", "0.000182" }, RFormat.Format(new[] { 0.0010677, 0.00047434, 0.00018169 }, 3));
        Assert.Equal(new[] { " 1.5", " NaN", "-2.0" }, RFormat.Format(new[] { 1.5, double.NaN, -2 }, 4));
    }

    [Fact]
    public void FixedAndScientificHelpers()
    {
        Assert.Equal("0.070", RFormat.FormatFixed(0.07, 3));
        Assert.Equal("0.000", RFormat.FormatFixed(-0.0001, 3));
        Assert.Equal("-1.00", RFormat.FormatFixed(-1, 2));
        Assert.Equal("1.47e-09", RFormat.FormatScientific(1.4681e-9, 2));
        Assert.Equal("-3e+05", RFormat.FormatScientific(-3e5, 0));
    }

    [Fact]
    public void RoundsHalfToEvenLikeR()
    {
        Assert.Equal(2.0, RFormat.Round(2.5, 0));
        Assert.Equal(0.12, RFormat.Round(0.125, 2));
        Assert.Equal(-1.3983, RFormat.Round(-1.39833155, 4));
        Assert.Equal(1200.0, RFormat.Round(1234.5, -2));
        Assert.True(double.IsNaN(RFormat.Round(double.NaN, 2)));
    }

    [Fact]
    public void ZapSmallRoundsTinyValuesToZero()
    {
        Assert.Equal(new[] { 1.0, 0.0, 0.5 }, RFormat.ZapSmall(new[] { 1.0, 1e-20, 0.5 }, 7));
        Assert.Equal(new[] { 123.46, 0.0 }, RFormat.ZapSmall(new[] { 123.456, 0.001 }, 5));
    }

    [Fact]
    public void FormatsPValuesLikeFormatPval()
    {
        // lme4's cbpp table: one scientific, three fixed with six decimals.
        Assert.Equal(new[] { "1.47e-09", "0.001068", "0.000474", "0.000182" },
            RFormat.FormatPValues(new[] { 1.468e-9, 0.0010677, 0.00047434, 0.00018169 }, 3));
        Assert.Equal("0.5", RFormat.FormatPValue(0.5));
        Assert.Equal("<2e-16", RFormat.FormatPValue(1e-20));
        Assert.Equal("<2e-16", RFormat.FormatPValue(0));
        // Wider neighbours put a space after '<' (R: "< 2e-16").
        Assert.Equal(new[] { "< 2e-16", "3.26e-06" }, RFormat.FormatPValues(new[] { 1e-30, 3.26e-6 }, 3));
        Assert.Equal(new[] { "0.0455", "0.6170" }, RFormat.FormatPValues(new[] { 0.0455, 0.617 }, 3));
        Assert.Equal("NaN", RFormat.FormatPValue(double.NaN));
    }

    [Theory]
    [InlineData(0.0, "***")]
    [InlineData(0.001, "***")]
    [InlineData(0.0011, "**")]
    [InlineData(0.01, "**")]
    [InlineData(0.049, "*")]
    [InlineData(0.05, "*")]
    [InlineData(0.07, ".")]
    [InlineData(0.1, ".")]
    [InlineData(0.5, " ")]
    public void SignificanceStarsUseRsCutpoints(double p, string stars) => Assert.Equal(stars, RFormat.SignifStars(p));

    [Fact]
    public void LegendIsRs() =>
        Assert.Equal("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1", RFormat.SignifLegend);

    [Fact]
    public void QuantilesAreType7()
    {
        var x = Enumerable.Range(1, 10).Select(i => (double)i).Reverse().ToArray();
        Assert.Equal(1.0, RFormat.Quantile(x, 0));
        Assert.Equal(3.25, RFormat.Quantile(x, 0.25), 12);
        Assert.Equal(5.5, RFormat.Quantile(x, 0.5), 12);
        Assert.Equal(10.0, RFormat.Quantile(x, 1));
        Assert.Equal(2.0, RFormat.Quantile(new[] { 2.0, double.NaN }, 0.5));
        Assert.True(double.IsNaN(RFormat.Quantile(Array.Empty<double>(), 0.5)));
    }

    [Fact]
    public void QuantilesBySelectionEqualThoseOfTheSortedValues()
    {
        var rng = new Random(11);
        var probs = new[] { 0, 0.1, 0.25, 0.5, 0.75, 0.999, 1 };
        foreach (int n in new[] { 1, 2, 3, 17, 18, 100, 1001, 50_000 })
            foreach (int distinct in new[] { 2, 7, 1 << 30 })
            {
                // Few distinct values (ties everywhere), sorted, reversed and shuffled inputs.
                var x = Enumerable.Range(0, n).Select(_ => (double)rng.Next(distinct) - distinct / 2).ToArray();
                foreach (var input in new[] { x, x.Order().ToArray(), x.OrderDescending().ToArray() })
                {
                    var sorted = input.Order().ToArray();
                    var q = RFormat.Quantiles(input, probs);
                    for (int i = 0; i < probs.Length; i++)
                    {
                        double h = (n - 1) * probs[i];
                        int lo = (int)Math.Floor(h), hi = Math.Min(lo + 1, n - 1);
                        Assert.Equal(sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]), q[i]);
                    }
                }
            }
    }

    [Theory]
    [InlineData("(Intercept)", 6, "(Intr)")]
    [InlineData("period2", 6, "perid2")]
    [InlineData("(Intercept)", 11, "(Intercept)")]
    [InlineData("Days", 6, "Days")]
    [InlineData("Petal.Length", 4, "Pt.L")]
    public void AbbreviatesLikeR(string name, int minLength, string expected) =>
        Assert.Equal(expected, RFormat.Abbreviate(name, minLength));

    [Fact]
    public void AbbreviationsStayDistinct()
    {
        var a = RFormat.Abbreviate(new[] { "period2", "period3", "periodic2" }, 6);
        Assert.Equal(3, a.Distinct().Count());
        Assert.Equal("perid2", a[0]);
    }
}

using System.Globalization;
using GlmmGpu.Data.Csv;
using Xunit;

namespace GlmmGpu.Tests.Data;

public class FastDoubleTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("1")]
    [InlineData("+7")]
    [InlineData("2.75930521091811")]
    [InlineData("-0.000123")]
    [InlineData("1e5")]
    [InlineData("1.5E-10")]
    [InlineData("2.5e+05")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("123456789012345")]
    [InlineData("9007199254740992")]
    [InlineData("0.1")]
    [InlineData("3.14159265358979")]
    public void AgreesWithTheGeneralParser(string text)
    {
        Assert.True(FastDouble.TryParse(text, out double fast));
        Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), fast);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1e-")]
    [InlineData("e5")]
    [InlineData("1e5x")]
    [InlineData("1234567890123456789e-3")] // over 2^53: not exact in a double
    [InlineData("abc")]
    [InlineData(" 1")]
    [InlineData("1.2.3")]
    [InlineData("NaN")]
    [InlineData("0.12345678901234567890")] // too many digits: left to the general parser
    [InlineData("1e300")]
    public void LeavesOtherTextToTheGeneralParser(string text) => Assert.False(FastDouble.TryParse(text, out _));

    [Fact]
    public void AgreesOnRandomFifteenDigitNumbers()
    {
        var random = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            double v = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 12));
            foreach (var format in new[] { "G15", "R", "F6", "E10" })
            {
                string text = v.ToString(format, CultureInfo.InvariantCulture);
                double expected = double.Parse(text, CultureInfo.InvariantCulture);
                if (FastDouble.TryParse(text, out double fast))
                    Assert.True(expected.Equals(fast), $"{text}: {fast:R} != {expected:R}");
                Assert.Equal(expected, CsvField.Parse(text, out double viaField) == FieldKind.Number ? viaField : double.NaN);
            }
        }
    }
}

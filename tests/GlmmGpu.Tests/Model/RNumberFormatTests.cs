using GlmmGpu.Model;
using Xunit;

namespace GlmmGpu.Tests.Model;

public class RNumberFormatTests
{
    [Theory]
    [InlineData(1, "1")]
    [InlineData(96, "96")]
    [InlineData(-3, "-3")]
    [InlineData(0, "0")]
    [InlineData(0.5, "0.5")]
    [InlineData(123456, "123456")]
    [InlineData(100000, "1e+05")]
    [InlineData(0.0001, "1e-04")]
    [InlineData(0.001, "0.001")]
    [InlineData(1e15, "1e+15")]
    [InlineData(2.75930521091811, "2.75930521091811")]
    [InlineData(0.1 + 0.2, "0.3")]
    [InlineData(1.5e-10, "1.5e-10")]
    // Whole numbers (the fast path), as R 4.2's as.character spells them.
    [InlineData(10000, "10000")]
    [InlineData(1200000, "1200000")]
    [InlineData(1000000, "1e+06")]
    [InlineData(-100000, "-1e+05")]
    [InlineData(120000000, "1.2e+08")]
    [InlineData(999999999999999, "999999999999999")]
    [InlineData(123400000000000, "1.234e+14")]
    [InlineData(20, "20")]
    [InlineData(300000000000000, "3e+14")]
    [InlineData(-7000000, "-7e+06")]
    public void MatchesRsAsCharacter(double value, string expected) => Assert.Equal(expected, RNumberFormat.Format(value));
}

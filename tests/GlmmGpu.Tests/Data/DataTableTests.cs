using GlmmGpu.Data;
using Xunit;

namespace GlmmGpu.Tests.Data;

public class DataTableTests
{
    [Fact]
    public void HeadKeepsTheFirstRowsFlagsAndFactors()
    {
        var t = new DataTable([
            new NumericColumn("x", [1, double.NaN, double.PositiveInfinity, 4], [false, false, true, false]),
            new StringColumn("s", ["a", null, "c", "d"]),
            new NumericColumn("g", [7, 7, 8, 8]),
        ]).WithFactors("g");
        var head = t.Head(3);
        Assert.Equal(3, head.RowCount);
        var x = Assert.IsType<NumericColumn>(head["x"]);
        Assert.Equal([1, double.NaN, double.PositiveInfinity], x.Values);
        Assert.Equal(new[] { false, false, true }, x.NonFinite);
        Assert.True(x.IsMissing(1));
        Assert.Equal(new string?[] { "a", null, "c" }, Assert.IsType<StringColumn>(head["s"]).Values);
        Assert.True(head.IsFactor("g"));
        Assert.Null(((NumericColumn)head["g"]).NonFinite);
        Assert.Equal(4, t.Head(10).RowCount);
        Assert.Equal(0, t.Head(0).RowCount);
        // A copy: the original is untouched by changes to the head.
        x.Values[0] = 99;
        Assert.Equal(1, ((NumericColumn)t["x"]).Values[0]);
    }
}

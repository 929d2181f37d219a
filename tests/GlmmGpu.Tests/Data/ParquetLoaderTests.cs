using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using Parquet;
using Parquet.Schema;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Data;

public class ParquetLoaderTests
{
    public static TheoryData<string, string> FixtureModels => new()
    {
        { "cbpp.csv", "cbind(incidence, size - incidence) ~ period + (1 | herd)" },
        { "sim_binary_slope.csv", "y ~ x + z + (1 + x | g)" },
    };

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public void ParquetLoadsTheSameTableAsCsvAndFitsTheSame(string csvName, string formula)
    {
        var csv = CsvLoader.Load(Fixtures.Path(csvName));
        var path = ParquetFiles.TempPath();
        try
        {
            // Small row groups, so the loader must stitch several together.
            ParquetFiles.Write(csv, path, rowGroupSize: csv.RowCount / 3 + 1);
            // Parquet has no quoting to mark numeric factors, so they are named, as --factor does.
            var parquet = ParquetLoader.Load(path, new CsvOptions { Factors = csv.FactorColumns.ToArray() });
            AssertSameTable(csv, parquet);
            AssertSameTable(csv, DataLoader.Load(path, new CsvOptions { Factors = csv.FactorColumns.ToArray() }));

            var spec = new ModelSpec(formula, FamilyKind.Binomial);
            var options = new FitOptions { Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };
            var fromCsv = Glmm.Fit(csv, spec, options);
            var fromParquet = Glmm.Fit(parquet, spec, options);
            Assert.Equal(fromCsv.FixedEffects.Select(c => c.Name), fromParquet.FixedEffects.Select(c => c.Name));
            Assert.Equal(fromCsv.FixedEffects.Select(c => c.Estimate), fromParquet.FixedEffects.Select(c => c.Estimate));
            Assert.Equal(fromCsv.FixedEffects.Select(c => c.StdError), fromParquet.FixedEffects.Select(c => c.StdError));
            Assert.Equal(fromCsv.VarCorr[0].Sd, fromParquet.VarCorr[0].Sd);
            Assert.Equal(fromCsv.LogLik, fromParquet.LogLik);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EveryNumericTypeNullsAndStringsAcrossRowGroups()
    {
        var path = ParquetFiles.TempPath();
        try
        {
            WriteMixedTypes(path);
            var t = ParquetLoader.Load(path);
            Assert.Equal(new[] { "i32", "i64", "f32", "f64", "flag", "name" }, t.Columns.Select(c => c.Name));
            Assert.Equal(5, t.RowCount);
            Assert.Equal(new[] { 1.0, 2, double.NaN, 4, 5 }, Numbers(t, "i32"));
            Assert.True(t["i32"].IsMissing(2));
            Assert.Equal(new[] { 10.0, 20, 30, 40, 9007199254740992 }, Numbers(t, "i64"));
            Assert.Equal(new[] { 0.5, double.NaN, 1.5, 2.5, 3.5 }, Numbers(t, "f32"));
            Assert.Equal(new[] { 1.0, 0, double.NaN, 1, 0 }, Numbers(t, "flag"));
            Assert.Equal(new[] { "a", "b", null, "a", "c" }, Assert.IsType<StringColumn>(t["name"]).Values);
            Assert.True(t["name"].IsMissing(2));
            Assert.True(t.IsFactor("name"));
            Assert.False(t.IsFactor("i32"));

            // A NaN or infinity stored in the file is a value, not a missing one: the model rejects it.
            var f64 = Assert.IsType<NumericColumn>(t["f64"]);
            Assert.False(f64.IsMissing(0));
            Assert.True(double.IsNaN(f64.Values[0]));
            Assert.True(double.IsPositiveInfinity(f64.Values[4]));
            Assert.True(f64.IsMissing(1));
            Assert.Equal(new[] { true, false, false, false, true }, f64.NonFinite);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ColumnsFactorsAndUnreadableFields()
    {
        var path = ParquetFiles.TempPath(".pq");
        try
        {
            WriteMixedTypes(path);
            var t = DataLoader.Load(path, new CsvOptions { Columns = new[] { "name", "i32" }, Factors = new[] { "i32" } });
            Assert.Equal(new[] { "i32", "name" }, t.Columns.Select(c => c.Name));
            Assert.True(t.IsFactor("i32"));
            // The date column is left out of a full load, and an error when asked for.
            Assert.False(ParquetLoader.Load(path).Contains("when"));
            var e = Assert.Throws<GlmmException>(() => ParquetLoader.Load(path, new CsvOptions { Columns = new[] { "when" } }));
            Assert.Contains("'when'", e.Message);
            Assert.Contains("'nope'", Assert.Throws<GlmmException>(() => ParquetLoader.Load(path, new CsvOptions { Columns = new[] { "nope" } })).Message);
            Assert.Contains("'nope'", Assert.Throws<GlmmException>(() => ParquetLoader.Load(path, new CsvOptions { Factors = new[] { "nope" } })).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StringBytesThatAreNotUtf8AreAnErrorNamingColumnAndRow()
    {
        var path = ParquetFiles.TempPath();
        try
        {
            // Written uncompressed, then "h\u00e9x" (bytes 68 C3 A9 78) patched to Latin-1 "h\u00e9" plus two bytes (68 E9 78 78):
            // Parquet.Net reads E9 as U+FFFD, which would merge it with any other Latin-1 letter.
            var table = DataTable.FromColumns(("y", new[] { 1.0, 0, 1 }), ("g", new string?[] { "a", "h\u00e9x", "b" }));
            ParquetFiles.Write(table, path, rowGroupSize: 3, CompressionMethod.None);
            var bytes = File.ReadAllBytes(path);
            int patched = 0;
            for (int at; (at = bytes.AsSpan().IndexOf(new byte[] { 0x68, 0xC3, 0xA9, 0x78 })) >= 0; patched++)
            {
                // The value is stored in the data page and again in the column's statistics: patch every copy.
                bytes[at + 1] = 0xE9;
                bytes[at + 2] = 0x78;
            }
            Assert.True(patched >= 1);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<GlmmException>(() => ParquetLoader.Load(path));
            Assert.StartsWith("column 'g' row 2 holds bytes that are not UTF-8", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ExtensionPicksTheLoader()
    {
        Assert.True(DataLoader.IsParquet("a/b.parquet"));
        Assert.True(DataLoader.IsParquet("B.PQ"));
        Assert.False(DataLoader.IsParquet("b.csv"));
        Assert.False(DataLoader.IsParquet("parquet"));
    }

    [Fact]
    public void MissingOrBrokenFilesAreOneSentence()
    {
        Assert.Contains("not found", Assert.Throws<GlmmException>(() => ParquetLoader.Load("no/such.parquet")).Message);
        var path = ParquetFiles.TempPath();
        try
        {
            File.WriteAllText(path, "a,b\n1,2\n");
            var e = Assert.Throws<GlmmException>(() => DataLoader.Load(path));
            Assert.Contains("not a readable Parquet file", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LongIntegerIdsStayDistinct()
    {
        // Past 2^53 = 9007199254740992 neighbouring integers share a double: ids there are read as their text, exactly,
        // from a row group after the first as well.
        var path = ParquetFiles.TempPath();
        try
        {
            long?[] id = [9007199254740990, 9007199254740991, null, 9007199254740993, 9007199254740992, -9007199254740995];
            var schema = new ParquetSchema(new DataField<long?>("id"));
            using (var stream = File.Create(path))
            {
                await using var writer = await ParquetWriter.CreateAsync(schema, stream);
                foreach (var (start, count) in new[] { (0, 3), (3, 3) })
                {
                    using var group = writer.CreateRowGroup();
                    await group.WriteAsync<long>(schema.DataFields[0], id.AsMemory(start, count));
                }
            }
            var t = ParquetLoader.Load(path);
            Assert.Equal(new string?[] { "9007199254740990", "9007199254740991", null, "9007199254740993", "9007199254740992", "-9007199254740995" },
                Assert.IsType<StringColumn>(t["id"]).Values);
            var e = Assert.Throws<GlmmException>(() => t.IsFactor("id"));
            Assert.StartsWith("column 'id' holds numbers but for 2 of its 5 values: row 4 is '9007199254740993', an integer beyond 2^53", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFileWithoutRowsIsAnError()
    {
        var path = ParquetFiles.TempPath();
        try
        {
            ParquetFiles.Write(DataTable.FromColumns(("y", Array.Empty<double>()), ("g", Array.Empty<string?>())), path, 10);
            Assert.Equal($"data file '{path}' has no rows", Assert.Throws<GlmmException>(() => ParquetLoader.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double[] Numbers(DataTable t, string name) => Assert.IsType<NumericColumn>(t[name]).Values;

    private static void AssertSameTable(DataTable expected, DataTable actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Columns.Select(c => c.Name), actual.Columns.Select(c => c.Name));
        Assert.Equal(expected.FactorColumns.Order(), actual.FactorColumns.Order());
        foreach (var column in expected.Columns)
        {
            switch (column)
            {
                case NumericColumn n:
                    Assert.Equal(n.Values, Assert.IsType<NumericColumn>(actual[column.Name]).Values);
                    break;
                case StringColumn s:
                    Assert.Equal(s.Values, Assert.IsType<StringColumn>(actual[column.Name]).Values);
                    break;
            }
        }
    }

    /// <summary>Five rows in two row groups: int32, int64, float, double (NaN, null, Inf), bool, string, and a date.</summary>
    private static void WriteMixedTypes(string path)
    {
        var schema = new ParquetSchema(
            new DataField<int?>("i32"), new DataField<long>("i64"), new DataField<float?>("f32"), new DataField<double?>("f64"),
            new DataField<bool?>("flag"), new DataField<string>("name", nullable: true), new DataField<DateTime>("when"));
        var groups = new[] { (Start: 0, Count: 3), (Start: 3, Count: 2) };
        int?[] i32 = { 1, 2, null, 4, 5 };
        long[] i64 = { 10, 20, 30, 40, 9007199254740992 };
        float?[] f32 = { 0.5f, null, 1.5f, 2.5f, 3.5f };
        double?[] f64 = { double.NaN, null, 3, 4, double.PositiveInfinity };
        bool?[] flag = { true, false, null, true, false };
        string?[] name = { "a", "b", null, "a", "c" };
        var when = Enumerable.Range(0, 5).Select(d => new DateTime(2024, 1, 1).AddDays(d)).ToArray();
        Task.Run(async () =>
        {
            using var stream = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            foreach (var (start, count) in groups)
            {
                using var group = writer.CreateRowGroup();
                var f = schema.DataFields;
                await group.WriteAsync<int>(f[0], i32.AsMemory(start, count));
                await group.WriteAsync<long>(f[1], i64.AsMemory(start, count));
                await group.WriteAsync<float>(f[2], f32.AsMemory(start, count));
                await group.WriteAsync<double>(f[3], f64.AsMemory(start, count));
                await group.WriteAsync<bool>(f[4], flag.AsMemory(start, count));
                await group.WriteAsync(f[5], name.Skip(start).Take(count).ToArray());
                await group.WriteAsync<DateTime>(f[6], when.AsMemory(start, count));
            }
        }).GetAwaiter().GetResult();
    }
}

using GlmmGpu.Data;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Prediction;
using Xunit;
using GlmmGpu.Engines;

namespace GlmmGpu.Tests.Model;

/// <summary>
/// Terms on one grouping factor form one block: <c>(1 | g) + (0 + x | g)</c> is lme4's expansion of
/// <c>(x || g)</c>, and both spellings are the same model.
/// </summary>
public class RandomTermGroupTests
{
    private static DataTable Sleepstudy() => CsvLoader.Load(Fixtures.Path("sleepstudy.csv"), new CsvOptions { Factors = new[] { "Subject" } });

    private static GlmmGpu.Model.ModelFrame Frame(string formula) => Glmm.Frame(Sleepstudy(), new ModelSpec(formula, FamilyKind.Gaussian));

    [Fact]
    public void TwoTermsOnOneFactorAreTheUncorrelatedBlock()
    {
        var split = Frame("Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)");
        var bars = Frame("Reaction ~ Days + (Days || Subject)");
        var block = Assert.Single(split.RandomEffects);
        var reference = Assert.Single(bars.RandomEffects);
        Assert.False(block.Correlated);
        Assert.Equal(new[] { "(Intercept)", "Days" }, block.TermNames);
        Assert.Equal(reference.Z, block.Z);
        Assert.Equal(reference.LevelOfRow, block.LevelOfRow);
        Assert.Equal("(1 + Days || Subject)", block.Term.ToString());
    }

    [Theory]
    [InlineData(FitMethod.Reml)]
    [InlineData(FitMethod.Laplace)]
    public void BothSpellingsGiveTheSameFit(FitMethod method)
    {
        var options = new FitOptions { Method = method, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } };
        var split = Glmm.Fit(Sleepstudy(), new ModelSpec("Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", FamilyKind.Gaussian), options);
        var bars = Glmm.Fit(Sleepstudy(), new ModelSpec("Reaction ~ Days + (Days || Subject)", FamilyKind.Gaussian), options);
        Assert.True(split.Converged);
        Assert.Equal(bars.LogLik, split.LogLik);
        Assert.Equal(bars.FixedEffects.Select(c => c.Estimate), split.FixedEffects.Select(c => c.Estimate));
        Assert.Equal(bars.FixedEffects.Select(c => c.StdError), split.FixedEffects.Select(c => c.StdError));
        Assert.Equal(bars.VarCorr[0].Sd, split.VarCorr[0].Sd);
        // lme4's REML fit of the same model: intercept SD 25.05, Days SD 5.988, residual 25.57.
        if (method == FitMethod.Reml)
        {
            Assert.Equal(25.05, split.VarCorr[0].Sd[0], 2);
            Assert.Equal(5.988, split.VarCorr[0].Sd[1], 3);
        }
    }

    [Fact]
    public void PredictionRebuildsTheSameBlock()
    {
        var data = Sleepstudy();
        var fit = Glmm.Fit(data, new ModelSpec("Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", FamilyKind.Gaussian),
            new FitOptions { Method = FitMethod.Reml, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        var barsFit = Glmm.Fit(data, new ModelSpec("Reaction ~ Days + (Days || Subject)", FamilyKind.Gaussian),
            new FitOptions { Method = FitMethod.Reml, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu } });
        Assert.Equal(Predictor.Predict(barsFit, data).Values, Predictor.Predict(fit, data).Values);
    }

    [Fact]
    public void TheEffectsKeepTheOrderOfTheTerms()
    {
        var block = Assert.Single(Frame("Reaction ~ Days + (0 + Days | Subject) + (1 | Subject)").RandomEffects);
        Assert.Equal(new[] { "Days", "(Intercept)" }, block.TermNames);
        Assert.False(block.Correlated);
    }

    [Fact]
    public void AnEffectGivenTwiceIsRefused()
    {
        var e = Assert.Throws<GlmmException>(() => Frame("Reaction ~ Days + (1 | Subject) + (1 | Subject)"));
        Assert.Equal("the random terms (1 | Subject) and (1 | Subject) both give grouping factor 'Subject' the effect (Intercept): each effect may appear once per grouping factor", e.Message);
        e = Assert.Throws<GlmmException>(() => Frame("Reaction ~ Days + (Days || Subject) + (0 + Days | Subject)"));
        Assert.Contains("the effect Days", e.Message);
    }

    [Fact]
    public void ACorrelatedGroupBesideAnotherTermSaysWhatToWrite()
    {
        var data = Sleepstudy();
        var z = new double[data.RowCount];
        for (int i = 0; i < z.Length; i++) z[i] = Math.Cos(i);
        var withZ = new DataTable(data.Columns.Append(new NumericColumn("z", z))).WithFactors(data.FactorColumns.ToArray());
        var e = Assert.Throws<GlmmException>(() =>
            Glmm.Frame(withZ, new ModelSpec("Reaction ~ Days + (1 + Days | Subject) + (0 + z | Subject)", FamilyKind.Gaussian)));
        Assert.Contains("(1 + Days | Subject) has 2 correlated effects", e.Message);
        Assert.Contains("write (1 + Days + z | Subject) for all effects correlated, or (1 + Days + z || Subject) for none", e.Message);
    }

    [Fact]
    public void DifferentFactorsStayApart()
    {
        var frame = Glmm.Frame(DataTable.FromColumns(
                ("y", new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }), ("a", new string?[] { "p", "p", "q", "q", "p", "p", "q", "q" }),
                ("b", new string?[] { "u", "v", "u", "v", "u", "v", "u", "v" })),
            new ModelSpec("y ~ 1 + (1 | a) + (1 | b)", FamilyKind.Gaussian));
        Assert.Equal(new[] { "a", "b" }, frame.RandomEffects.Select(r => r.GroupingFactor));
    }
}

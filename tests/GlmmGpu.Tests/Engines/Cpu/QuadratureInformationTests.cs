using GlmmGpu.Fitting;
using GlmmGpu.Engines;
using GlmmGpu.Engines.Cpu;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Model;
using GlmmGpu.Simulation;
using GlmmGpu.Engines.Ilgpu;
using Xunit;
using GlmmGpu.Tests.Fitting;

namespace GlmmGpu.Tests.Engines.Cpu;

/// <summary>The Hessian in (beta, theta) from the quadrature rule (Louis' identity at the adapted nodes) against central
/// differences of the exact gradient of the adaptive rule: equal in the limit of many nodes, for every family without
/// a dispersion parameter, and, where the engines use it, as close to the integral's curvature as a seven-node fit's
/// own. (Poisson-log rows with a large variance were measured not to be: at SD 2.5 the 15-node rule's beta block was
/// 3e-5 off, the seven-node fit's 2e-7, so they stay on differencing.)</summary>
public class QuadratureInformationTests
{
    /// <summary>Every family without dispersion, six rows per cluster; clusters longer than the 256 rows after which
    /// the row passes fold their deferred logs; and ten fixed effects, more than the two SIMD vectors the rule keeps
    /// a node's scores in registers for.</summary>
    public static IEnumerable<object[]> AllModels() =>
    [
        [FamilyKind.Binomial, LinkKind.Logit, 6, 0],
        [FamilyKind.Binomial, LinkKind.Probit, 6, 0],
        [FamilyKind.Binomial, LinkKind.Cloglog, 6, 0],
        [FamilyKind.Poisson, LinkKind.Log, 6, 0],
        [FamilyKind.Binomial, LinkKind.Logit, 300, 0],
        [FamilyKind.Binomial, LinkKind.Logit, 6, 7],
    ];

    [Theory]
    [MemberData(nameof(AllModels))]
    public void RuleCurvatureConvergesToTheDifferencedOne(FamilyKind family, LinkKind link, int perGroup, int extraColumns)
    {
        var (data, engine, psi) = Setup(family, link, nodes: 21, sd: 0.8, perGroup, extraColumns: extraColumns);
        using var _ = engine;
        var differenced = Differenced(engine, psi);
        engine.Evaluate(psi, new double[psi.Length]);
        var rule = Rule(data, psi, engine, 21);
        Assert.True(Worst(rule, differenced) < 1e-5, $"largest difference {Worst(rule, differenced):G3} relative to the diagonal");
    }

    /// <summary>Binomial-logit random intercepts: the rule with RuleNodes nodes against the integral's curvature (the
    /// differenced Hessian of a 31-node rule), beside what the seven-node fit's own differenced Hessian gets.</summary>
    [Theory]
    [InlineData(6, 0.8)]
    [InlineData(6, 5.0)]
    [InlineData(2, 2.5)]
    [InlineData(30, 2.5)]
    public void WhereEnginesUseTheRuleItIsAsCloseToTheIntegralAsASevenNodeFit(int perGroup, double sd)
    {
        var (wide, wideEngine, psi) = Setup(FamilyKind.Binomial, LinkKind.Logit, nodes: 31, sd, perGroup);
        double[,] truth;
        using (wideEngine) truth = Differenced(wideEngine, psi);

        var (data, engine, _) = Setup(FamilyKind.Binomial, LinkKind.Logit, nodes: 7, sd, perGroup);
        using var __ = engine;
        Assert.True(QuadratureInformation.Applies(data));
        double sevenNodes = Worst(Differenced(engine, psi), truth);
        var rule = new double[psi.Length, psi.Length];
        Assert.False(engine.TryRuleHessian(psi, rule)); // the last evaluation was elsewhere: its modes are not psi's
        engine.Evaluate(psi, new double[psi.Length]);
        Assert.True(engine.TryRuleHessian(psi, rule));
        Assert.True(Worst(rule, truth) <= sevenNodes + 1e-9, $"rule: {Worst(rule, truth):G3} relative to the diagonal; seven-node fit: {sevenNodes:G3}");
        // The rule at the fit's own seven nodes is further off: hence RuleNodes.
        Assert.True(Worst(Rule(data, psi, engine, 7), truth) > 5 * sevenNodes);
    }

    [Theory]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, 1)]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 1, 5)]
    [InlineData(FamilyKind.Binomial, LinkKind.Logit, 2, 7)]
    [InlineData(FamilyKind.Binomial, LinkKind.Probit, 1, 7)]
    [InlineData(FamilyKind.Gamma, LinkKind.Log, 1, 7)]
    [InlineData(FamilyKind.Poisson, LinkKind.Log, 1, 7)]
    public void ElsewhereTheEnginesDifference(FamilyKind family, LinkKind link, int q, int nodes)
    {
        var (data, engine, psi) = Setup(family, link, nodes, sd: 0.8, q: q);
        using var _ = engine;
        engine.Evaluate(psi, new double[psi.Length]);
        Assert.False(QuadratureInformation.Applies(data));
        Assert.False(engine.TryRuleHessian(psi, new double[psi.Length, psi.Length]));
    }

    private static (MarginalLikelihoodData, IMarginalLikelihoodEngine, double[]) Setup(FamilyKind family, LinkKind link, int nodes, double sd,
        int perGroup = 6, int q = 1, int extraColumns = 0)
    {
        var frame = Widen(SyntheticFrames.Create(family, link, groups: 40, perGroup, q, true, seed: 5 + q), extraColumns);
        var data = MarginalLikelihoodData.Create(frame, nodes);
        var engine = EngineFactory.Create(data, new ExecutionOptions { Device = DeviceChoice.Cpu });
        var layout = data.Layout;
        var psi = new double[layout.Count];
        psi[0] = 0.2; psi[1] = 0.4; psi[2] = -0.3;
        for (int k = 0; k < layout.ThetaCount; k++)
            psi[layout.ThetaOffset + k] = layout.IsThetaDiagonal(k) ? sd + 0.1 * k : 0.2;
        if (layout.HasDispersion) psi[layout.DispersionIndex] = Math.Log(1.5);
        return (data, engine, psi);
    }

    /// <summary>The frame with <paramref name="extra"/> more fixed-effect columns of standard normal noise (their true
    /// coefficients are zero; psi gives them zero).</summary>
    private static ModelFrame Widen(ModelFrame frame, int extra)
    {
        if (extra == 0) return frame;
        int n = frame.RowCount;
        var rng = new Random(41);
        var x = new double[(frame.P + extra) * n];
        Array.Copy(frame.X, x, frame.X.Length);
        for (int i = frame.X.Length; i < x.Length; i++) x[i] = RandomDraws.Normal(rng);
        return new ModelFrame
        {
            Formula = frame.Formula, Family = frame.Family, Link = frame.Link, Response = frame.Response, Weights = frame.Weights,
            Offset = frame.Offset, X = x,
            FixedNames = frame.FixedNames.Concat(Enumerable.Range(1, extra).Select(k => $"noise{k}")).ToArray(),
            DroppedColumns = frame.DroppedColumns, RandomEffects = frame.RandomEffects, DroppedRows = frame.DroppedRows,
            SourceRow = frame.SourceRow,
        };
    }

    /// <summary>-d²log L/dpsi² by central differences of the exact gradient.</summary>
    internal static double[,] Differenced(IMarginalLikelihoodEngine engine, double[] psi)
    {
        int n = psi.Length;
        var h = new double[n, n];
        var gp = new double[n];
        var gm = new double[n];
        for (int i = 0; i < n; i++)
        {
            const double step = 1e-5;
            var plus = (double[])psi.Clone();
            var minus = (double[])psi.Clone();
            plus[i] += step;
            minus[i] -= step;
            engine.Evaluate(plus, gp);
            engine.Evaluate(minus, gm);
            for (int j = 0; j < n; j++) h[j, i] = -(gp[j] - gm[j]) / (2 * step);
        }
        return h;
    }

    private static double[,] Rule(MarginalLikelihoodData data, double[] psi, IMarginalLikelihoodEngine engine, int nodes)
    {
        var rule = new double[psi.Length, psi.Length];
        Assert.True(((IRuleCurvature)engine).RuleHessian(psi, nodes, rule));
        return rule;
    }

    /// <summary>The largest |a_ij - b_ij| / sqrt(b_ii b_jj): each entry on the scale of the parameters' own curvature,
    /// as it enters their standard errors and correlations.</summary>
    private static double Worst(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) worst = Math.Max(worst, Math.Abs(a[i, j] - b[i, j]) / Math.Sqrt(Math.Abs(b[i, i] * b[j, j])));
        return worst;
    }
}

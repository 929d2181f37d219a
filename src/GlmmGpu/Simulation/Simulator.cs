using System.Globalization;
using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Simulation;

/// <summary>What to simulate: rows split evenly into groups, covariates x1..x3 normal and x4 binary.</summary>
public sealed record SimulationSpec(int Rows, int Groups, FamilyKind Family, LinkKind? Link = null, bool Slopes = false,
    double Sd = 0.8, int Seed = 1)
{
    /// <summary>Several grouping factors, crossed or nested (<see cref="SimulatedFactor"/>); null for the one factor
    /// <c>g</c> with <see cref="Groups"/> levels, intercept SD <see cref="Sd"/> and, with <see cref="Slopes"/>, a slope
    /// SD half that. With factors, <see cref="Groups"/>, <see cref="Sd"/> and <see cref="Slopes"/> are not read.</summary>
    public IReadOnlyList<SimulatedFactor>? Factors { get; init; }

    internal IReadOnlyList<SimulatedFactor> GroupingFactors =>
        Factors ?? [new SimulatedFactor("g", Groups, null, Sd, Slopes ? Sd / 2 : null)];
}

/// <summary>The parameters a simulated set was drawn from.</summary>
/// <remarks><see cref="InterceptSd"/> and <see cref="SlopeSd"/> are the first factor's; <see cref="Terms"/> has every
/// factor's.</remarks>
public sealed record SimulationTruth(string Formula, IReadOnlyDictionary<string, double> FixedEffects, double InterceptSd, double? SlopeSd,
    string? DispersionName, double? Dispersion)
{
    public IReadOnlyList<SimulatedTerm> Terms { get; init; } = [];

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("formula: ").AppendLine(Formula);
        sb.Append("fixed effects: ").AppendLine(string.Join(", ", FixedEffects.Select(kv => $"{kv.Key} = {kv.Value.ToString(CultureInfo.InvariantCulture)}")));
        if (Terms.Count > 1)
            foreach (var term in Terms) AppendSds(sb.Append($"random-effect SDs for {term.Grouping} ({term.Levels} levels): "), term.InterceptSd, term.SlopeSd);
        else AppendSds(sb.Append("random-effect SDs: "), InterceptSd, SlopeSd);
        if (DispersionName is not null) sb.Append(DispersionName).Append(" = ").AppendLine(Dispersion!.Value.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static void AppendSds(StringBuilder sb, double intercept, double? slope)
    {
        sb.Append("(Intercept) = ").Append(intercept.ToString(CultureInfo.InvariantCulture));
        if (slope is { } s) sb.Append(", x1 = ").Append(s.ToString(CultureInfo.InvariantCulture)).Append(" (uncorrelated)");
        sb.AppendLine();
    }
}

/// <summary>
/// Writes a synthetic GLMM data set as CSV (columns g, x1..x4, y; or one column per grouping factor of
/// <see cref="SimulationSpec.Factors"/>, then x1..x4, y), in parallel blocks with a seed per block so the file is the
/// same whatever the number of threads.
/// </summary>
public static class Simulator
{
    private const int BlockRows = 1 << 16;
    private static readonly double[] Beta = { -0.5, 0.5, -0.3, 0.2, 0.4 };

    public static SimulationTruth Write(SimulationSpec spec, Stream output)
    {
        var link = Check(spec, out var design);
        var groupEffects = design.Effects(spec.Seed);
        var header = Encoding.ASCII.GetBytes(string.Join(",", design.Factors.Select(f => f.Name)) + ",x1,x2,x3,x4,y\n");
        output.Write(header);
        int blocks = (int)((spec.Rows + (long)BlockRows - 1) / BlockRows);
        // Blocks are formatted in parallel a window at a time and written in order.
        int window = Math.Max(1, Environment.ProcessorCount * 2);
        for (int first = 0; first < blocks; first += window)
        {
            int count = Math.Min(window, blocks - first);
            var buffers = new byte[count][];
            Parallel.For(0, count, i => buffers[i] = FormatBlock(DrawBlock(spec, link, design, groupEffects, first + i)));
            foreach (var b in buffers) output.Write(b);
        }
        return Truth(spec, design);
    }

    /// <summary>
    /// The same data set as <see cref="Write"/> (full precision rather than the CSV's 7 digits) as columns in
    /// memory, for sizes whose CSV would be the bottleneck (1e8 rows on a GPU). The grouping columns are numeric:
    /// grouping factors are factors whatever their type.
    /// </summary>
    public static (DataTable Data, SimulationTruth Truth) Generate(SimulationSpec spec)
    {
        var link = Check(spec, out var design);
        var groupEffects = design.Effects(spec.Seed);
        int n = spec.Rows;
        var groups = design.Factors.Select(_ => new double[n]).ToArray();
        var x1 = new double[n]; var x2 = new double[n]; var x3 = new double[n]; var x4 = new double[n]; var y = new double[n];
        int blocks = (int)((n + (long)BlockRows - 1) / BlockRows);
        Parallel.For(0, blocks, blk =>
        {
            var b = DrawBlock(spec, link, design, groupEffects, blk);
            int at = blk * BlockRows;
            for (int k = 0; k < groups.Length; k++)
                for (int r = 0; r < b.Rows; r++) groups[k][at + r] = b.Labels[k][r];
            b.X1.CopyTo(x1, at); b.X2.CopyTo(x2, at); b.X3.CopyTo(x3, at); b.X4.CopyTo(x4, at); b.Y.CopyTo(y, at);
        });
        var columns = design.Factors.Select((f, k) => (DataColumn)new NumericColumn(f.Name, groups[k])).ToList();
        columns.AddRange(new DataColumn[]
        {
            new NumericColumn("x1", x1), new NumericColumn("x2", x2),
            new NumericColumn("x3", x3), new NumericColumn("x4", x4), new NumericColumn("y", y),
        });
        return (new DataTable(columns.ToArray()), Truth(spec, design));
    }

    /// <summary>The link the spec simulates with; an error naming the option when the spec cannot be simulated.</summary>
    public static LinkKind Check(SimulationSpec spec) => Check(spec, out _);

    private static LinkKind Check(SimulationSpec spec, out SimulatedDesign design)
    {
        if (spec.Rows < 1) throw new GlmmException("option --rows must be at least 1");
        if (spec.Factors is null && (spec.Groups < 2 || spec.Groups > spec.Rows))
            throw new GlmmException($"option --groups must be between 2 and the number of rows ({spec.Rows}), not {spec.Groups}");
        design = new SimulatedDesign(spec.GroupingFactors, spec.Rows);
        var link = spec.Link ?? FamilyNames.DefaultLink(spec.Family);
        if (link is not (LinkKind.Logit or LinkKind.Probit or LinkKind.Cloglog or LinkKind.Log) && !(link == LinkKind.Identity && spec.Family == FamilyKind.Gaussian))
            throw new GlmmException($"option --link: simulate supports the logit, probit, cloglog and log links (and identity for gaussian), not {FamilyNames.RName(link)}");
        if (!FamilyNames.Allows(spec.Family, link))
            throw new GlmmException($"option --link: the {FamilyNames.RName(spec.Family)} family does not take the {FamilyNames.RName(link)} link");
        return link;
    }

    private static SimulationTruth Truth(SimulationSpec spec, SimulatedDesign design)
    {
        string re = string.Join(" + ", design.Terms.Select(t => t.FormulaTerm));
        var (dispName, disp) = DispersionOf(spec.Family);
        return new SimulationTruth($"y ~ x1 + x2 + x3 + x4 + {re}",
            new Dictionary<string, double> { ["(Intercept)"] = Beta[0], ["x1"] = Beta[1], ["x2"] = Beta[2], ["x3"] = Beta[3], ["x4"] = Beta[4] },
            design.Terms[0].InterceptSd, design.Terms[0].SlopeSd, dispName, disp) { Terms = design.Terms };
    }

    private static (string?, double?) DispersionOf(FamilyKind family) => family switch
    {
        FamilyKind.Gaussian => ("sigma", 1.0),
        FamilyKind.Gamma => ("sigma", 1 / Math.Sqrt(2.0)),
        FamilyKind.NegativeBinomial => ("size", 2.0),
        FamilyKind.InverseGaussian => ("dispersion", 0.5),
        _ => (null, null),
    };

    /// <summary>The rows of one block: each factor's labels (from 1), covariates and response.</summary>
    private sealed class Block(int rows, int factors)
    {
        public int Rows => rows;
        public readonly int[][] Labels = Enumerable.Range(0, factors).Select(_ => new int[rows]).ToArray();
        public readonly double[] X1 = new double[rows], X2 = new double[rows], X3 = new double[rows], X4 = new double[rows], Y = new double[rows];
    }

    /// <summary>Draws block <paramref name="block"/>'s rows; each block has its own seed, so blocks can be drawn in
    /// any order and on any thread and the data set is the same.</summary>
    private static Block DrawBlock(SimulationSpec spec, LinkKind link, SimulatedDesign design, double[][] groupEffects, int block)
    {
        // A fixed mix of seed and block (HashCode.Combine is salted per process, which would change the file).
        var rng = new Random(unchecked(spec.Seed * 1_000_003 + block * 7919 + 0x5eed));
        long start = (long)block * BlockRows;
        int rows = (int)Math.Min(BlockRows, spec.Rows - start);
        int factors = design.Factors.Count;
        var b = new Block(rows, factors);
        Span<int> levels = stackalloc int[factors];
        for (int r = 0; r < rows; r++)
        {
            long i = start + r;
            double x1 = RandomDraws.Normal(rng), x2 = RandomDraws.Normal(rng), x3 = RandomDraws.Normal(rng);
            double x4 = rng.NextDouble() < 0.5 ? 1 : 0;
            // The crossed factors' levels come after the covariates in the row's stream (one factor draws none).
            design.LevelsOfRow(i, spec.Rows, rng, levels);
            double eta = Beta[0] + Beta[1] * x1 + Beta[2] * x2 + Beta[3] * x3 + Beta[4] * x4;
            for (int k = 0; k < factors; k++)
            {
                int level = levels[k];
                eta += groupEffects[k][2 * level];
                eta += groupEffects[k][2 * level + 1] * x1;
                b.Labels[k][r] = design.Label(k, level);
            }
            b.X1[r] = x1; b.X2[r] = x2; b.X3[r] = x3; b.X4[r] = x4;
            b.Y[r] = Draw(spec.Family, link, eta, rng);
        }
        return b;
    }

    private static byte[] FormatBlock(Block b)
    {
        var buffer = new byte[b.Rows * (80 + 12 * b.Labels.Length)];
        int pos = 0;
        for (int r = 0; r < b.Rows; r++)
        {
            foreach (var labels in b.Labels)
            {
                pos += Format(buffer.AsSpan(pos), labels[r], "D");
                buffer[pos++] = (byte)',';
            }
            pos += Format(buffer.AsSpan(pos), b.X1[r], "G7");
            buffer[pos++] = (byte)',';
            pos += Format(buffer.AsSpan(pos), b.X2[r], "G7");
            buffer[pos++] = (byte)',';
            pos += Format(buffer.AsSpan(pos), b.X3[r], "G7");
            buffer[pos++] = (byte)',';
            buffer[pos++] = b.X4[r] == 1 ? (byte)'1' : (byte)'0';
            buffer[pos++] = (byte)',';
            pos += Format(buffer.AsSpan(pos), b.Y[r], "G9");
            buffer[pos++] = (byte)'\n';
        }
        return buffer.AsSpan(0, pos).ToArray();
    }

    private static int Format(Span<byte> target, double value, string format)
    {
        value.TryFormat(target, out int written, format, CultureInfo.InvariantCulture);
        return written;
    }

    private static int Format(Span<byte> target, int value, string format)
    {
        value.TryFormat(target, out int written, format, CultureInfo.InvariantCulture);
        return written;
    }

    private static double Draw(FamilyKind family, LinkKind link, double eta, Random rng)
    {
        double mu = RowLikelihoodDispatch.Mean(family, link, eta);
        return family switch
        {
            FamilyKind.Binomial => rng.NextDouble() < mu ? 1 : 0,
            FamilyKind.Poisson => RandomDraws.Poisson(mu, rng),
            FamilyKind.Gaussian => mu + RandomDraws.Normal(rng),
            FamilyKind.Gamma => mu * RandomDraws.Gamma(2.0, rng) / 2.0,
            FamilyKind.NegativeBinomial => RandomDraws.NegativeBinomial(mu, 2.0, rng),
            _ => RandomDraws.InverseGaussian(mu, 0.5, rng),
        };
    }
}

using System.Globalization;
using System.Text;
using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;

namespace GlmmGpu.Simulation;

/// <summary>What to simulate: rows split evenly into groups, covariates x1..x3 normal and x4 binary.</summary>
public sealed record SimulationSpec(int Rows, int Groups, FamilyKind Family, LinkKind? Link = null, bool Slopes = false,
    double Sd = 0.8, int Seed = 1);

/// <summary>The parameters a simulated set was drawn from.</summary>
public sealed record SimulationTruth(string Formula, IReadOnlyDictionary<string, double> FixedEffects, double InterceptSd, double? SlopeSd,
    string? DispersionName, double? Dispersion)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("formula: ").AppendLine(Formula);
        sb.Append("fixed effects: ").AppendLine(string.Join(", ", FixedEffects.Select(kv => $"{kv.Key} = {kv.Value.ToString(CultureInfo.InvariantCulture)}")));
        sb.Append("random-effect SDs: (Intercept) = ").Append(InterceptSd.ToString(CultureInfo.InvariantCulture));
        if (SlopeSd is { } s) sb.Append(", x1 = ").Append(s.ToString(CultureInfo.InvariantCulture)).Append(" (uncorrelated)");
        sb.AppendLine();
        if (DispersionName is not null) sb.Append(DispersionName).Append(" = ").AppendLine(Dispersion!.Value.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}

/// <summary>
/// Writes a synthetic GLMM data set as CSV (columns g, x1..x4, y), in parallel blocks with a seed per block so
/// the file is the same whatever the number of threads.
/// </summary>
public static class Simulator
{
    private const int BlockRows = 1 << 16;
    private static readonly double[] Beta = { -0.5, 0.5, -0.3, 0.2, 0.4 };

    public static SimulationTruth Write(SimulationSpec spec, Stream output)
    {
        var link = Check(spec);
        double? slopeSd = spec.Slopes ? spec.Sd / 2 : null;
        var groupEffects = GroupEffects(spec, slopeSd);
        var header = Encoding.ASCII.GetBytes("g,x1,x2,x3,x4,y\n");
        output.Write(header);
        int blocks = (int)((spec.Rows + (long)BlockRows - 1) / BlockRows);
        // Blocks are formatted in parallel a window at a time and written in order.
        int window = Math.Max(1, Environment.ProcessorCount * 2);
        for (int first = 0; first < blocks; first += window)
        {
            int count = Math.Min(window, blocks - first);
            var buffers = new byte[count][];
            Parallel.For(0, count, i => buffers[i] = FormatBlock(DrawBlock(spec, link, groupEffects, first + i)));
            foreach (var b in buffers) output.Write(b);
        }
        return Truth(spec, slopeSd);
    }

    /// <summary>
    /// The same data set as <see cref="Write"/> (full precision rather than the CSV's 7 digits) as columns in
    /// memory, for sizes whose CSV would be the bottleneck (1e8 rows on a GPU). <c>g</c> is numeric: grouping
    /// factors are factors whatever their type.
    /// </summary>
    public static (DataTable Data, SimulationTruth Truth) Generate(SimulationSpec spec)
    {
        var link = Check(spec);
        double? slopeSd = spec.Slopes ? spec.Sd / 2 : null;
        var groupEffects = GroupEffects(spec, slopeSd);
        int n = spec.Rows;
        var g = new double[n];
        var x1 = new double[n]; var x2 = new double[n]; var x3 = new double[n]; var x4 = new double[n]; var y = new double[n];
        int blocks = (int)((n + (long)BlockRows - 1) / BlockRows);
        Parallel.For(0, blocks, blk =>
        {
            var b = DrawBlock(spec, link, groupEffects, blk);
            int at = blk * BlockRows;
            for (int r = 0; r < b.G.Length; r++) g[at + r] = b.G[r];
            b.X1.CopyTo(x1, at); b.X2.CopyTo(x2, at); b.X3.CopyTo(x3, at); b.X4.CopyTo(x4, at); b.Y.CopyTo(y, at);
        });
        var table = new DataTable(new DataColumn[]
        {
            new NumericColumn("g", g), new NumericColumn("x1", x1), new NumericColumn("x2", x2),
            new NumericColumn("x3", x3), new NumericColumn("x4", x4), new NumericColumn("y", y),
        });
        return (table, Truth(spec, slopeSd));
    }

    /// <summary>The link the spec simulates with; an error naming the option when the spec cannot be simulated.</summary>
    public static LinkKind Check(SimulationSpec spec)
    {
        if (spec.Rows < 1) throw new GlmmException("option --rows must be at least 1");
        if (spec.Groups < 2 || spec.Groups > spec.Rows) throw new GlmmException($"option --groups must be between 2 and the number of rows ({spec.Rows}), not {spec.Groups}");
        var link = spec.Link ?? FamilyNames.DefaultLink(spec.Family);
        if (link is not (LinkKind.Logit or LinkKind.Probit or LinkKind.Cloglog or LinkKind.Log) && !(link == LinkKind.Identity && spec.Family == FamilyKind.Gaussian))
            throw new GlmmException($"option --link: simulate supports the logit, probit, cloglog and log links (and identity for gaussian), not {FamilyNames.RName(link)}");
        if (!FamilyNames.Allows(spec.Family, link))
            throw new GlmmException($"option --link: the {FamilyNames.RName(spec.Family)} family does not take the {FamilyNames.RName(link)} link");
        return link;
    }

    private static SimulationTruth Truth(SimulationSpec spec, double? slopeSd)
    {
        string re = spec.Slopes ? "(1 + x1 || g)" : "(1 | g)";
        var (dispName, disp) = DispersionOf(spec.Family);
        return new SimulationTruth($"y ~ x1 + x2 + x3 + x4 + {re}",
            new Dictionary<string, double> { ["(Intercept)"] = Beta[0], ["x1"] = Beta[1], ["x2"] = Beta[2], ["x3"] = Beta[3], ["x4"] = Beta[4] },
            spec.Sd, slopeSd, dispName, disp);
    }

    private static (string?, double?) DispersionOf(FamilyKind family) => family switch
    {
        FamilyKind.Gaussian => ("sigma", 1.0),
        FamilyKind.Gamma => ("sigma", 1 / Math.Sqrt(2.0)),
        FamilyKind.NegativeBinomial => ("size", 2.0),
        FamilyKind.InverseGaussian => ("dispersion", 0.5),
        _ => (null, null),
    };

    private static double[] GroupEffects(SimulationSpec spec, double? slopeSd)
    {
        var rng = new Random(spec.Seed);
        var b = new double[spec.Groups * 2];
        for (int g = 0; g < spec.Groups; g++)
        {
            b[2 * g] = spec.Sd * RandomDraws.Normal(rng);
            b[2 * g + 1] = slopeSd is { } s ? s * RandomDraws.Normal(rng) : 0.0;
        }
        return b;
    }

    /// <summary>The rows of one block: group numbers from 1, covariates and response.</summary>
    private sealed class Block(int rows)
    {
        public readonly int[] G = new int[rows];
        public readonly double[] X1 = new double[rows], X2 = new double[rows], X3 = new double[rows], X4 = new double[rows], Y = new double[rows];
    }

    /// <summary>Draws block <paramref name="block"/>'s rows; each block has its own seed, so blocks can be drawn in
    /// any order and on any thread and the data set is the same.</summary>
    private static Block DrawBlock(SimulationSpec spec, LinkKind link, double[] groupEffects, int block)
    {
        // A fixed mix of seed and block (HashCode.Combine is salted per process, which would change the file).
        var rng = new Random(unchecked(spec.Seed * 1_000_003 + block * 7919 + 0x5eed));
        long start = (long)block * BlockRows;
        int rows = (int)Math.Min(BlockRows, spec.Rows - start);
        var b = new Block(rows);
        for (int r = 0; r < rows; r++)
        {
            long i = start + r;
            int g = (int)(i * spec.Groups / spec.Rows);
            double x1 = RandomDraws.Normal(rng), x2 = RandomDraws.Normal(rng), x3 = RandomDraws.Normal(rng);
            double x4 = rng.NextDouble() < 0.5 ? 1 : 0;
            double eta = Beta[0] + Beta[1] * x1 + Beta[2] * x2 + Beta[3] * x3 + Beta[4] * x4 + groupEffects[2 * g] + groupEffects[2 * g + 1] * x1;
            b.G[r] = g + 1;
            b.X1[r] = x1; b.X2[r] = x2; b.X3[r] = x3; b.X4[r] = x4;
            b.Y[r] = Draw(spec.Family, link, eta, rng);
        }
        return b;
    }

    private static byte[] FormatBlock(Block b)
    {
        var buffer = new byte[b.G.Length * 80];
        int pos = 0;
        for (int r = 0; r < b.G.Length; r++)
        {
            pos += Format(buffer.AsSpan(pos), b.G[r], "D");
            buffer[pos++] = (byte)',';
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

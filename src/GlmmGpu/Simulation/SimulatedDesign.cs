using System.Globalization;

namespace GlmmGpu.Simulation;

/// <summary>
/// One grouping factor of a simulated data set. <paramref name="Levels"/> is its number of levels, or with
/// <paramref name="NestedIn"/> its number of levels within each level of that factor (the column then holds the label
/// within the parent, 1..Levels, as pupils' classes are numbered within their school, and the model's term is
/// <c>parent:name</c>). <paramref name="Sd"/> is the random intercept's SD on the linear predictor's scale;
/// <paramref name="SlopeSd"/>, where given, adds an uncorrelated random slope on x1.
/// </summary>
public sealed record SimulatedFactor(string Name, int Levels, string? NestedIn = null, double Sd = 0.8, double? SlopeSd = null);

/// <summary>A random-effects term of the model a data set was drawn from: its grouping (<c>school:class</c> for a nested
/// factor), its number of levels and SDs.</summary>
public sealed record SimulatedTerm(string Grouping, int Levels, double InterceptSd, double? SlopeSd)
{
    public string FormulaTerm => SlopeSd is null ? $"(1 | {Grouping})" : $"(1 + x1 || {Grouping})";
}

/// <summary>
/// The grouping factors of a simulated data set, checked and laid out: which level of each factor a row is in, and
/// every level's effects. The first factor splits the rows into contiguous runs, as the single-factor simulation does;
/// a factor nested in it (or in a factor nested in it) splits its parent's runs the same way; any other factor is
/// crossed, its level drawn uniformly for each row from the row's stream.
/// </summary>
internal sealed class SimulatedDesign
{
    public IReadOnlyList<SimulatedFactor> Factors { get; }
    /// <summary>Each factor's parent (index into <see cref="Factors"/>), -1 for none.</summary>
    public int[] Parent { get; }
    /// <summary>Each factor's levels in all: its levels within a parent times the parent's.</summary>
    public int[] TotalLevels { get; }
    /// <summary>Whether a factor's levels follow the rows in runs (no draw), or are drawn per row.</summary>
    public bool[] Contiguous { get; }
    public IReadOnlyList<SimulatedTerm> Terms { get; }

    private static readonly string[] Reserved = ["x1", "x2", "x3", "x4", "y"];

    /// <summary>Checks the factors against the number of rows; errors name the factor and the option.</summary>
    public SimulatedDesign(IReadOnlyList<SimulatedFactor> factors, int rows)
    {
        if (factors.Count == 0) throw new GlmmException("option --groups: at least one grouping factor is needed");
        Factors = factors;
        int count = factors.Count;
        Parent = new int[count];
        TotalLevels = new int[count];
        Contiguous = new bool[count];
        var terms = new SimulatedTerm[count];
        var groupings = new string[count];
        for (int k = 0; k < count; k++)
        {
            var f = factors[k];
            if (!IsName(f.Name))
                throw new GlmmException($"option --groups: '{f.Name}' is not a column name (a letter, then letters, digits, '_' or '.')");
            if (Reserved.Contains(f.Name, StringComparer.OrdinalIgnoreCase) || factors.Take(k).Any(o => string.Equals(o.Name, f.Name, StringComparison.OrdinalIgnoreCase)))
                throw new GlmmException($"option --groups: the factor name '{f.Name}' is used twice (x1..x4 and y are the other columns)");
            if (!(f.Sd >= 0) || double.IsInfinity(f.Sd))
                throw new GlmmException($"option --sd: factor '{f.Name}' needs a non-negative SD, not {f.Sd.ToString(CultureInfo.InvariantCulture)}");
            if (f.SlopeSd is { } s && (!(s >= 0) || double.IsInfinity(s)))
                throw new GlmmException($"option --slope-sd: factor '{f.Name}' needs a non-negative SD, not {s.ToString(CultureInfo.InvariantCulture)}");
            if (f.NestedIn is null)
            {
                if (f.Levels < 2) throw new GlmmException($"option --groups: factor '{f.Name}' needs at least 2 levels, not {f.Levels}");
                Parent[k] = -1;
                TotalLevels[k] = f.Levels;
                Contiguous[k] = k == 0;
                groupings[k] = f.Name;
            }
            else
            {
                int parent = factors.Take(k).Select(o => o.Name).ToList().FindIndex(n => n == f.NestedIn);
                if (parent < 0)
                    throw new GlmmException($"option --groups: factor '{f.Name}' is nested in '{f.NestedIn}', which is not a factor given before it");
                if (f.Levels < 1) throw new GlmmException($"option --groups: factor '{f.Name}' needs at least 1 level within each level of '{f.NestedIn}', not {f.Levels}");
                Parent[k] = parent;
                long total = (long)TotalLevels[parent] * f.Levels;
                TotalLevels[k] = total > int.MaxValue ? int.MaxValue : (int)total;
                Contiguous[k] = Contiguous[parent];
                groupings[k] = groupings[parent] + ":" + f.Name;
            }
            if (TotalLevels[k] > rows)
                throw new GlmmException($"option --groups: factor '{f.Name}' has {TotalLevels[k]} levels in all, more than the {rows} rows");
            terms[k] = new SimulatedTerm(groupings[k], TotalLevels[k], f.Sd, f.SlopeSd);
        }
        Terms = terms;
    }

    private static bool IsName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');

    /// <summary>Every level's intercept and slope effect, factor by factor (factor k's level l at
    /// <c>[k][2 l]</c> and <c>[k][2 l + 1]</c>), drawn in that order from the seed's stream.</summary>
    public double[][] Effects(int seed)
    {
        var rng = new Random(seed);
        var effects = new double[Factors.Count][];
        for (int k = 0; k < Factors.Count; k++)
        {
            var f = Factors[k];
            var b = new double[TotalLevels[k] * 2];
            for (int l = 0; l < TotalLevels[k]; l++)
            {
                b[2 * l] = f.Sd * RandomDraws.Normal(rng);
                b[2 * l + 1] = f.SlopeSd is { } s ? s * RandomDraws.Normal(rng) : 0.0;
            }
            effects[k] = b;
        }
        return effects;
    }

    /// <summary>Row <paramref name="row"/>'s level (0-based, over all the factor's levels) of every factor into
    /// <paramref name="levels"/>; factors not in runs draw theirs from <paramref name="rng"/>, in the factors' order.</summary>
    public void LevelsOfRow(long row, long rows, Random rng, Span<int> levels)
    {
        for (int k = 0; k < Factors.Count; k++)
        {
            if (Contiguous[k]) levels[k] = (int)(row * TotalLevels[k] / rows);
            else if (Parent[k] < 0) levels[k] = rng.Next(TotalLevels[k]);
            else levels[k] = levels[Parent[k]] * Factors[k].Levels + rng.Next(Factors[k].Levels);
        }
    }

    /// <summary>The label a factor's column holds for a level: the level within its parent for a nested factor, from 1.</summary>
    public int Label(int factor, int level) => (Parent[factor] < 0 ? level : level % Factors[factor].Levels) + 1;
}

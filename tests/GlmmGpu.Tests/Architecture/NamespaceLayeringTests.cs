using System.Text.RegularExpressions;
using Xunit;

namespace GlmmGpu.Tests.Architecture;

/// <summary>
/// The library's top-level namespaces (GlmmGpu.Specification, .Data, .Model, .Engines, .Fitting, ...) depend one way:
/// read from the source, a namespace's files name another by a using directive or a qualified name
/// (<c>GlmmGpu.Fitting.X</c>), and those references must form no cycle. The root namespace (the front door
/// <c>Glmm</c>, <c>GlmmException</c>, <c>Diagnostics</c>) is left out: every layer throws its exception, and the front
/// door calls every layer.
/// </summary>
public class NamespaceLayeringTests
{
    private static readonly Regex Declared = new(@"^namespace\s+GlmmGpu\.(\w+)", RegexOptions.Multiline);
    private static readonly Regex Referenced = new(@"(?:^using\s+(?:static\s+)?|\bglobal::|[^\w.])GlmmGpu\.(\w+)", RegexOptions.Multiline);

    [Fact]
    public void TopLevelNamespacesFormNoCycle()
    {
        var edges = Edges(Path.Combine(RepositoryRoot(), "src", "GlmmGpu"));
        Assert.Contains("Fitting", edges.Keys);
        Assert.Contains("Engines", edges["Fitting"].Keys);
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, cycle is null ? "" : "cycle: " + string.Join(" -> ", cycle) + "; " + string.Join("; ",
            cycle.Zip(cycle.Skip(1)).Select(e => $"{e.First} -> {e.Second} in {string.Join(", ", edges[e.First][e.Second].Distinct().Take(3))}")));
    }

    /// <summary>The check itself finds a cycle where there is one (two files that name each other's namespaces).</summary>
    [Fact]
    public void ACycleIsFound()
    {
        string folder = Path.Combine(Path.GetTempPath(), "glmmgpu-layering-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "A.cs"), "using GlmmGpu.Beta;\nnamespace GlmmGpu.Alpha;\nclass A { }\n");
            File.WriteAllText(Path.Combine(folder, "B.cs"), "namespace GlmmGpu.Beta;\nclass B { GlmmGpu.Alpha.A a; }\n");
            File.WriteAllText(Path.Combine(folder, "C.cs"), "namespace GlmmGpu.Gamma;\n// GlmmGpu.Alpha in a comment is no reference\nclass C { }\n");
            Assert.Equal(new[] { "Alpha", "Beta", "Alpha" }, FindCycle(Edges(folder))!.ToArray());
            File.Delete(Path.Combine(folder, "B.cs"));
            Assert.Null(FindCycle(Edges(folder)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>For each namespace, the namespaces it references and the files that do.</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> Edges(string folder)
    {
        var edges = new Dictionary<string, Dictionary<string, List<string>>>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            string text = string.Join('\n', File.ReadAllLines(file).Select(StripComment));
            var declared = Declared.Match(text);
            if (!declared.Success) continue;
            string from = declared.Groups[1].Value;
            var targets = edges.TryGetValue(from, out var t) ? t : edges[from] = new();
            foreach (Match m in Referenced.Matches(text))
            {
                string to = m.Groups[1].Value;
                if (to == from || to == "Kernels") continue;
                (targets.TryGetValue(to, out var files) ? files : targets[to] = new()).Add(Path.GetFileName(file));
            }
        }
        return edges;
    }

    private static string StripComment(string line)
    {
        int at = line.IndexOf("//", StringComparison.Ordinal);
        return at >= 0 ? line[..at] : line;
    }

    /// <summary>A cycle (first node repeated at the end), or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, Dictionary<string, List<string>>> edges)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges.TryGetValue(node, out var t) ? t.Keys.Order() : Enumerable.Empty<string>())
            {
                if (state.GetValueOrDefault(next) == 1) return path.SkipWhile(n => n != next).Append(next).ToList();
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in edges.Keys.Order())
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GlmmGpu.sln"))) return dir.FullName;
        throw new InvalidOperationException("GlmmGpu.sln not found above " + AppContext.BaseDirectory);
    }
}

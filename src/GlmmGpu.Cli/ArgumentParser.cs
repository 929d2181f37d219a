using System.Text;

namespace GlmmGpu.Cli;

/// <summary>A mistake in how the program was called; printed as one sentence, exit code 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>
/// One long option: <c>--name VALUE</c> (or <c>--name=VALUE</c>) when <see cref="ValueName"/> is set,
/// else a flag. <see cref="Repeatable"/> options collect every value; others may appear once.
/// </summary>
public sealed record OptionSpec(string Name, string? ValueName, string Help, bool Repeatable = false, string? ShortName = null)
{
    public bool TakesValue => ValueName is not null;
    public string Usage => TakesValue ? $"--{Name} {ValueName}" : $"--{Name}";
}

/// <summary>What the parser found: option values by name, and positional arguments.</summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> values;

    internal ParsedArguments(Dictionary<string, List<string>> values, IReadOnlyList<string> positionals)
    {
        this.values = values;
        Positionals = positionals;
    }

    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Whether the option (by name, without dashes) was given.</summary>
    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>The option's value, or null when it was not given.</summary>
    public string? Value(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;

    /// <summary>Every value given for the option, in order (empty when not given).</summary>
    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var v) ? v : Array.Empty<string>();
}

/// <summary>
/// A small hand-written parser for GNU-style long options. <c>--</c> ends the options; <c>-h</c> is
/// <c>--help</c>. Errors are <see cref="UsageException"/>s that name the option at fault.
/// </summary>
public static class ArgumentParser
{
    /// <summary>Parse <paramref name="args"/> against <paramref name="specs"/>.</summary>
    /// <param name="args">The arguments after the command name.</param>
    /// <param name="specs">The options the command accepts.</param>
    /// <param name="command">The command, for messages (<c>glmm fit</c>).</param>
    /// <param name="maxPositionals">How many positional arguments the command takes.</param>
    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs, string command, int maxPositionals = 0)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var byShort = specs.Where(s => s.ShortName is not null).ToDictionary(s => s.ShortName!, StringComparer.Ordinal);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var positionals = new List<string>();
        bool optionsEnded = false;

        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                if (positionals.Count >= maxPositionals)
                    throw new UsageException($"unexpected argument '{arg}' for '{command}' (see '{command} --help')");
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            OptionSpec? spec;
            string shown;
            string? inlineValue = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var body = arg[2..];
                int eq = body.IndexOf('=');
                if (eq >= 0)
                {
                    inlineValue = body[(eq + 1)..];
                    body = body[..eq];
                }
                shown = "--" + body;
                byName.TryGetValue(body, out spec);
            }
            else
            {
                shown = arg;
                byShort.TryGetValue(arg[1..], out spec);
            }
            if (spec is null)
                throw new UsageException(UnknownOption(shown, specs, command));

            string value;
            if (spec.TakesValue)
            {
                if (inlineValue is not null)
                {
                    value = inlineValue;
                }
                else if (i + 1 < args.Count && !LooksLikeOption(args[i + 1]))
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"option --{spec.Name} needs a value ({spec.ValueName})");
                }
                if (value.Length == 0)
                    throw new UsageException($"option --{spec.Name} needs a value ({spec.ValueName}), not an empty string");
            }
            else
            {
                if (inlineValue is not null)
                    throw new UsageException($"option --{spec.Name} takes no value");
                value = "";
            }

            if (values.TryGetValue(spec.Name, out var list))
            {
                if (!spec.Repeatable && spec.TakesValue)
                    throw new UsageException($"option --{spec.Name} was given more than once");
                list.Add(value);
            }
            else
            {
                values[spec.Name] = new List<string> { value };
            }
        }
        return new ParsedArguments(values, positionals);
    }

    /// <summary>Whether <paramref name="args"/> asks for help (<c>--help</c> or <c>-h</c> before any <c>--</c>).</summary>
    public static bool WantsHelp(IReadOnlyList<string> args)
    {
        foreach (var a in args)
        {
            if (a == "--") return false;
            if (a is "--help" or "-h") return true;
        }
        return false;
    }

    /// <summary>The options part of a help text: one entry per option, its usage then its description.</summary>
    public static string FormatOptions(IReadOnlyList<OptionSpec> specs)
    {
        var sb = new StringBuilder();
        int col = Math.Min(specs.Max(s => Usage(s).Length), 28);
        var indent = new string(' ', 2 + col + 2);
        foreach (var s in specs)
        {
            var usage = Usage(s);
            var helpLines = s.Help.Split('\n');
            if (usage.Length > col)
                sb.Append("  ").Append(usage).Append('\n').Append(indent).Append(helpLines[0]).Append('\n');
            else
                sb.Append("  ").Append(usage.PadRight(col)).Append("  ").Append(helpLines[0]).Append('\n');
            foreach (var h in helpLines.Skip(1))
                sb.Append(indent).Append(h).Append('\n');
        }
        return sb.ToString();
    }

    private static string Usage(OptionSpec s) => s.ShortName is null ? s.Usage : $"-{s.ShortName}, {s.Usage}";

    private static bool LooksLikeOption(string s) => s.StartsWith("--", StringComparison.Ordinal) || s == "-h";

    private static string UnknownOption(string shown, IReadOnlyList<OptionSpec> specs, string command)
    {
        var name = shown.TrimStart('-');
        var close = specs.Select(s => (s.Name, Distance: EditDistance(name, s.Name)))
            .Where(t => t.Distance <= Math.Max(1, Math.Min(2, name.Length / 3)))
            .OrderBy(t => t.Distance)
            .Select(t => t.Name)
            .FirstOrDefault();
        var hint = close is null ? $"see '{command} --help'" : $"did you mean --{close}?";
        return $"unknown option {shown} for '{command}' ({hint})";
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}

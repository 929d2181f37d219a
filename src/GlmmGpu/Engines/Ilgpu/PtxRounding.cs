using System.Text.RegularExpressions;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// Gives every double-precision add, subtract and multiply in ILGPU's PTX an explicit round-to-nearest mode. PTX
/// lets the driver's compiler fuse an <c>add.f64</c> that has no rounding mode with the <c>mul.f64</c> feeding it into
/// one multiply-add, which rounds once where the CPU path rounds twice; with <c>.rn</c> on both it may not, and each
/// operation rounds as IEEE arithmetic does on the CPU. The kernels then compute what the CPU path computes bit for
/// bit but for the order of the sums.
/// </summary>
internal static partial class PtxRounding
{
    /// <summary>Part of the kernel cache's key: a change to what this class does makes new entries.</summary>
    public const string Version = "rn1";

    public static string Apply(string ptx) => Unrounded().Replace(ptx, m => $"{m.Groups[1].Value}.rn.f64");

    [GeneratedRegex(@"\b(add|sub|mul)\.f64\b")]
    private static partial Regex Unrounded();
}

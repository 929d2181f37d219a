
namespace GlmmGpu.Engines.Ilgpu;

/// <summary>
/// Finds the CUDA toolkit's libNVVM and libdevice, which <see cref="DeviceMath.LibDevice"/> compiles the kernels'
/// exp and log with: in <c>nvvm/lib64/libnvvm*.so</c> (Windows: <c>nvvm/bin/nvvm64*.dll</c>) and
/// <c>nvvm/libdevice/libdevice.*.bc</c> under the toolkit's folder, looked for where CUDA_HOME and CUDA_PATH point and
/// then where installers put it. ILGPU's own search reads CUDA_HOME alone and, when it is unset, says only that.
/// </summary>
internal static class LibDeviceLocation
{
    /// <summary>Where toolkits are installed when no variable points at one, newest version first among /usr/local/cuda-*.</summary>
    public static IEnumerable<string> DefaultRoots(bool windows)
    {
        if (windows)
        {
            var programs = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "NVIDIA GPU Computing Toolkit", "CUDA");
            return Directory.Exists(programs) ? Directory.GetDirectories(programs).OrderDescending(StringComparer.Ordinal) : Enumerable.Empty<string>();
        }
        var versioned = Directory.Exists("/usr/local") ? Directory.GetDirectories("/usr/local", "cuda-*").OrderDescending(StringComparer.Ordinal) : Enumerable.Empty<string>();
        return new[] { "/usr/local/cuda" }.Concat(versioned).Append("/opt/cuda");
    }

    /// <summary>The paths of libNVVM and of libdevice, or an error that says what is missing and where it looked.</summary>
    /// <param name="environment">Reads an environment variable (the process's, or a test's).</param>
    /// <param name="windows">Whether to look for Windows' file names.</param>
    /// <param name="defaults">Folders to try after the variables; <see cref="DefaultRoots"/> when null.</param>
    public static (string LibNvvm, string LibDevice) Find(Func<string, string?> environment, bool windows, IEnumerable<string>? defaults = null)
    {
        var looked = new List<string>();
        var roots = new List<string>();
        foreach (var variable in new[] { "CUDA_HOME", "CUDA_PATH" })
        {
            var value = environment(variable);
            if (string.IsNullOrWhiteSpace(value)) looked.Add($"{variable} (not set)");
            else roots.Add(value);
        }
        roots.AddRange(defaults ?? DefaultRoots(windows));
        foreach (var root in roots.Distinct(StringComparer.Ordinal))
        {
            var nvvm = FirstFile(Path.Combine(root, "nvvm", windows ? "bin" : "lib64"), windows ? "nvvm64*.dll" : "libnvvm*.so*");
            var libDevice = FirstFile(Path.Combine(root, "nvvm", "libdevice"), "libdevice.*.bc");
            if (nvvm is not null && libDevice is not null) return (nvvm, libDevice);
            looked.Add(!Directory.Exists(root) ? $"{root} (absent)"
                : nvvm is null ? $"{root} (no nvvm/{(windows ? "bin/nvvm64*.dll" : "lib64/libnvvm*.so")})"
                : $"{root} (no nvvm/libdevice/libdevice.*.bc)");
        }
        throw new GlmmException(
            "--device-math libdevice needs the CUDA toolkit's libNVVM and libdevice (its nvvm folder), which were not found; looked in " +
            string.Join(", ", looked) + ": install the CUDA toolkit, or set CUDA_HOME to its folder (the one holding nvvm), or use --device-math portable");
    }

    private static string? FirstFile(string folder, string pattern) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, pattern).Order(StringComparer.Ordinal).FirstOrDefault() : null;
}

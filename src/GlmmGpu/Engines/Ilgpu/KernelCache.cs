using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GlmmGpu.Engines.Ilgpu;

/// <summary>A kernel's PTX and the shared memory it declares, as <see cref="KernelCache"/> keeps them.</summary>
internal sealed record CachedKernel(string Ptx, int StaticSharedBytes);

/// <summary>
/// Compiled kernels on disk, one file per kernel, in <c>$GLMMGPU_KERNEL_CACHE</c> or else
/// <c>$XDG_CACHE_HOME/glmmgpu/kernels</c> (<c>~/.cache/glmmgpu/kernels</c>). The key is a hash of everything the
/// PTX depends on: the kernel and its type arguments, the build of the kernels' assembly and of ILGPU, where exp and
/// log come from, and the device's architecture; any change gives a new key, so an entry is never stale, only
/// unused. <c>GLMMGPU_KERNEL_CACHE=off</c> turns it off. A cache that cannot be read or written is skipped.
/// </summary>
internal static class KernelCache
{
    public static string? Folder
    {
        get
        {
            string? setting = Environment.GetEnvironmentVariable("GLMMGPU_KERNEL_CACHE");
            if (string.Equals(setting, "off", StringComparison.OrdinalIgnoreCase)) return null;
            if (!string.IsNullOrEmpty(setting)) return setting;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            string root = !string.IsNullOrEmpty(xdg) ? xdg : string.IsNullOrEmpty(home) ? Path.GetTempPath() : Path.Combine(home, ".cache");
            return Path.Combine(root, "glmmgpu", "kernels");
        }
    }

    public static string Key(MethodInfo kernel, string deviceMath, string target)
    {
        var text = new StringBuilder()
            .Append(kernel.DeclaringType!.FullName).Append('.').Append(kernel.Name)
            .Append('<').AppendJoin(',', kernel.GetGenericArguments().Select(t => t.FullName)).Append('>')
            .Append('|').Append(kernel.Module.ModuleVersionId)
            .Append('|').Append(typeof(ILGPU.Context).Assembly.ManifestModule.ModuleVersionId)
            .Append('|').Append(deviceMath).Append('|').Append(target);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    public static CachedKernel? TryRead(string key) => Folder is { } folder ? TryRead(folder, key) : null;

    public static void Write(string key, CachedKernel kernel)
    {
        if (Folder is { } folder) Write(folder, key, kernel);
    }

    internal static CachedKernel? TryRead(string folder, string key)
    {
        try
        {
            string path = Path.Combine(folder, key + ".json");
            return File.Exists(path) ? JsonSerializer.Deserialize<CachedKernel>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    internal static void Write(string folder, string key, CachedKernel kernel)
    {
        try
        {
            Directory.CreateDirectory(folder);
            // Written aside and moved into place, so that a concurrent reader never sees half a file.
            string path = Path.Combine(folder, key + ".json"), temporary = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(kernel));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

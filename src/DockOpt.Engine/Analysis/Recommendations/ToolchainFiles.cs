using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>Compilers and toolchain files found in a final filesystem (what DOA003 and DOA004 report).</summary>
public sealed class ToolchainFiles
{
    static readonly string[] CompilerFiles =
    {
        "usr/bin/gcc", "usr/bin/cc", "usr/bin/c++", "usr/bin/g++", "usr/bin/clang", "usr/bin/rustc", "usr/local/go/bin/go", "usr/bin/javac",
    };

    static readonly string[] ToolchainPrefixes =
    {
        "usr/lib/gcc/", "usr/libexec/gcc/", "usr/include/", "usr/local/include/", "usr/local/go/", "usr/lib/go-", "usr/lib/llvm-",
        "usr/local/rustup/", "usr/bin/x86_64-linux-gnu-", "usr/bin/aarch64-linux-gnu-", "usr/lib/x86_64-linux-gnu/libLLVM",
        "usr/bin/gcc-", "usr/bin/g++-", "usr/bin/cpp-",
    };

    /// <summary>Compiler binaries present, with a leading '/'.</summary>
    public IReadOnlyList<string> Compilers { get; private init; } = Array.Empty<string>();

    /// <summary>Bytes of toolchain files in the final filesystem, and how many of them sit in the image's own layers.</summary>
    public long Bytes { get; private init; }
    public long OwnBytes { get; private init; }

    /// <summary>The layer holding most toolchain bytes.</summary>
    public int? Layer { get; private init; }

    public static bool IsToolchainPath(string path) => ToolchainPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal));

    public static ToolchainFiles Measure(RecommendationContext c)
    {
        long bytes = 0, own = 0;
        var byLayer = new Dictionary<int, long>();
        foreach (var n in c.RegularFiles)
        {
            if (!IsToolchainPath(n.Path)) continue;
            bytes += n.Size;
            if (c.OwnLayers.Contains(n.Layer)) own += n.Size;
            byLayer[n.Layer] = byLayer.GetValueOrDefault(n.Layer) + n.Size;
        }
        return new ToolchainFiles
        {
            Compilers = CompilerFiles.Where(p => c.Files.TryGetValue(p, out var n) && n.Kind != LayerEntryKind.Directory).Select(p => "/" + p).ToList(),
            Bytes = bytes,
            OwnBytes = own,
            Layer = RecommendationContext.HeaviestLayer(byLayer),
        };
    }
}

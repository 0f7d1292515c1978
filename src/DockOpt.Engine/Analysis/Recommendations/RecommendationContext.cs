using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis.Recommendations;

/// <summary>What a recommendation rule looks at: the measured image, its final filesystem and its config.</summary>
public sealed class RecommendationContext
{
    public const long MiB = 1024 * 1024;

    public RecommendationContext(ImageAnalysis analysis, IReadOnlyDictionary<string, FsNode> files, ImageConfigSummary config)
    {
        Analysis = analysis;
        Files = files;
        Config = config;
        OwnLayers = new HashSet<int>(analysis.Layers.Where(l => !l.IsEmpty && !l.IsBaseLayer).Select(l => l.Index));
        _toolchain = new Lazy<ToolchainFiles>(() => ToolchainFiles.Measure(this));
    }

    readonly Lazy<ToolchainFiles> _toolchain;

    public ImageAnalysis Analysis { get; }

    /// <summary>The final filesystem by path (no leading '/').</summary>
    public IReadOnlyDictionary<string, FsNode> Files { get; }

    public ImageConfigSummary Config { get; }

    /// <summary>History indexes of the non-empty layers above the base image.</summary>
    public IReadOnlySet<int> OwnLayers { get; }

    /// <summary>Compilers, headers and toolchain files in the final filesystem (shared by DOA003 and DOA004).</summary>
    public ToolchainFiles Toolchain => _toolchain.Value;

    /// <summary>Regular files of the final filesystem.</summary>
    public IEnumerable<FsNode> RegularFiles => Files.Values.Where(n => n.Kind == LayerEntryKind.RegularFile);

    /// <summary>The layer holding the most bytes of a per-layer tally, or null when the tally is empty.</summary>
    public static int? HeaviestLayer(IReadOnlyDictionary<int, long> bytesByLayer) =>
        bytesByLayer.Count == 0 ? null : bytesByLayer.OrderByDescending(kv => kv.Value).First().Key;
}

using System.Diagnostics;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>An analysed image: the public figures plus the final filesystem (for file-level compares).</summary>
public sealed class AnalysisResult
{
    public ImageAnalysis Analysis { get; init; } = null!;
    /// <summary>The final filesystem, path (no leading slash) → node.</summary>
    public IReadOnlyDictionary<string, FsNode> FileSystem { get; init; } = null!;
    public ImageConfigSummary Config { get; init; } = null!;
    public IReadOnlyList<string> DiffIds { get; init; } = Array.Empty<string>();
}

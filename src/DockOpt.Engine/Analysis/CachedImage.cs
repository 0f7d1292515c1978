using System.Collections.Concurrent;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>What is kept of an image's manifest so that a repeat analysis needs no export when all its layers are cached.</summary>
internal sealed class CachedImage
{
    public ImageConfigSummary Config { get; init; } = new();
    public string[] DiffIds { get; init; } = Array.Empty<string>();
    public ImageArchiveFormat Format { get; init; }

    /// <summary>The config blob as read, for <see cref="LayerScanStore"/> (empty: not stored on disk).</summary>
    public byte[] ConfigJson { get; init; } = Array.Empty<byte>();
}

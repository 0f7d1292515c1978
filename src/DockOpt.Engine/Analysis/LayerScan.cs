using System.Collections.Concurrent;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>The result of scanning one layer: position-independent, so it is cached by diff ID and reused by any image.</summary>
public sealed class LayerScan
{
    public string DiffId { get; internal set; } = "";
    public long TarLength { get; internal set; }

    /// <summary>Entries in tar order, one per path (a path written twice in one tar keeps the last).</summary>
    public FileRecord[] Entries { get; internal set; } = Array.Empty<FileRecord>();

    /// <summary>Bytes as overlay2 (docker history) accounts for the layer.</summary>
    public long Size { get; internal set; }

    /// <summary>Odd entries (escapes, unknown types), at most 50.</summary>
    public string[] Problems { get; internal set; } = Array.Empty<string>();

    internal long ApproximateBytes => 64 + Entries.Length * 96L + Entries.Sum(e => (long)e.Path.Length * 2 + (e.Link?.Length ?? 0) * 2);
}

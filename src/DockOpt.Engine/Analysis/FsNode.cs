using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>One visible path of a filesystem built by stacking layers (the final filesystem after <see cref="ImageAccounting"/>).</summary>
public sealed class FsNode
{
    public string Path { get; internal set; } = "";
    public LayerEntryKind Kind { get; internal set; }
    /// <summary>Content size for regular files (and hard links: the size of the linked content).</summary>
    public long Size { get; internal set; }
    public int Mode { get; internal set; }
    public int Uid { get; internal set; }
    public int Gid { get; internal set; }
    public ulong Hash { get; internal set; }
    public string? Link { get; internal set; }
    /// <summary>History index of the layer that wrote this path last.</summary>
    public int Layer { get; internal set; }
    /// <summary>Id of the stored copy this path shows (hard links share their target's); -1 for directories and devices.</summary>
    public int CopyId { get; internal set; } = -1;
}

using System.Collections.Concurrent;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Analysis;

/// <summary>Compact metadata of one entry of a layer (what the accounting needs; no content).</summary>
public readonly struct FileRecord
{
    public FileRecord(string path, LayerEntryKind kind, long size, int mode, int uid, int gid, ulong hash, string? link)
    {
        Path = path;
        Kind = kind;
        Size = size;
        Mode = mode;
        Uid = uid;
        Gid = gid;
        Hash = hash;
        Link = link;
    }

    public string Path { get; }
    public LayerEntryKind Kind { get; }
    /// <summary>Content size of regular files; 0 otherwise.</summary>
    public long Size { get; }
    public int Mode { get; }
    public int Uid { get; }
    public int Gid { get; }
    /// <summary>XxHash3 of the content (regular files), else 0.</summary>
    public ulong Hash { get; }
    /// <summary>Symlink target as stored, or the normalised hard link target.</summary>
    public string? Link { get; }

    /// <summary>Bytes overlay2 accounts for this entry: file size, symlink target length, 0 otherwise.</summary>
    public long StoredSize => Kind switch
    {
        LayerEntryKind.RegularFile => Size,
        LayerEntryKind.Symlink => System.Text.Encoding.UTF8.GetByteCount(Link ?? ""),
        _ => 0,
    };

    public bool IsDirectory => Kind == LayerEntryKind.Directory;
    public bool IsDeletion => Kind is LayerEntryKind.Whiteout or LayerEntryKind.OpaqueWhiteout;
}

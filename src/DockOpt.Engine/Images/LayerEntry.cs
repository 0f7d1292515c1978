namespace DockOpt.Engine.Images;

/// <summary>
/// One entry of a layer tar, valid only during <see cref="ILayerVisitor.OnEntry"/> (the reader reuses nothing, but
/// <see cref="Content"/> is readable only inside the callback). Keep the few fields you need, not the object's stream.
/// </summary>
public sealed class LayerEntry
{
    /// <summary>
    /// Normalised path, relative to the root, without leading <c>/</c> or <c>./</c> and without trailing <c>/</c>
    /// (e.g. <c>usr/bin/python3</c>); <c>""</c> is the root itself. For whiteouts it is the path being deleted, for an
    /// opaque whiteout the directory being made opaque. When <see cref="Escapes"/> is set, it is the name as stored.
    /// </summary>
    public string Path { get; internal set; } = "";

    /// <summary>The raw name from the tar header (after PAX/GNU long-name handling).</summary>
    public string Name { get; internal set; } = "";

    public LayerEntryKind Kind { get; internal set; }

    /// <summary>The raw tar type flag.</summary>
    public char TypeFlag { get; internal set; }

    /// <summary>Content length in bytes for regular files (the logical size for sparse files); 0 for everything else.</summary>
    public long Size { get; internal set; }

    /// <summary>Permission and special bits (<c>0o7777</c> mask), as stored.</summary>
    public int Mode { get; internal set; }

    public int Uid { get; internal set; }
    public int Gid { get; internal set; }

    /// <summary>Symlink target as stored (not normalised), or the normalised path of a hardlink's target.</summary>
    public string? LinkTarget { get; internal set; }

    public DateTimeOffset ModifiedTime { get; internal set; }

    /// <summary>A GNU or PAX sparse file; <see cref="Size"/> is its logical size when the header says it.</summary>
    public bool IsSparse { get; internal set; }

    /// <summary>The name (or a hardlink's target) leaves the root through <c>..</c>. Reported, never followed.</summary>
    public bool Escapes { get; internal set; }

    /// <summary>Anything odd about this entry worth reporting (escape, unknown type, sparse map not understood).</summary>
    public string? Problem { get; internal set; }

    /// <summary>Zero-based position of the entry in its layer tar.</summary>
    public int Ordinal { get; internal set; }

    /// <summary>
    /// Bytes a layer of the default overlay2 driver accounts for this entry (what <c>docker history</c> sums): the size
    /// of a regular file, the byte length of a symlink's target, 0 for everything else (hard links share their inode).
    /// </summary>
    public long StoredSize => Kind switch
    {
        LayerEntryKind.RegularFile => Size,
        LayerEntryKind.Symlink => System.Text.Encoding.UTF8.GetByteCount(LinkTarget ?? ""),
        _ => 0,
    };

    /// <summary>
    /// The content of a regular file (empty for other kinds), forward-only, valid only during the callback. Read it, or
    /// call <see cref="EntryContentStream.GetContentHash"/> / <see cref="EntryContentStream.GetSha256"/>, or ignore it.
    /// </summary>
    public EntryContentStream Content { get; internal set; } = null!;

    public override string ToString() => $"{Kind} {Path}";
}

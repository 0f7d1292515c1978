namespace DockOpt.Engine.Images;

/// <summary>What a layer tar entry is, after whiteouts are recognised.</summary>
public enum LayerEntryKind
{
    RegularFile,
    Directory,
    Symlink,
    /// <summary>A hard link; <see cref="LayerEntry.LinkTarget"/> is the normalised path of the file it links to.</summary>
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// <summary><c>.wh.&lt;name&gt;</c>: <see cref="LayerEntry.Path"/> is the path it deletes from the lower layers.</summary>
    Whiteout,
    /// <summary><c>.wh..wh..opq</c>: <see cref="LayerEntry.Path"/> is the directory whose lower contents are hidden.</summary>
    OpaqueWhiteout,
    /// <summary>Anything else (unknown type flags, contiguous files, GNU volume headers).</summary>
    Other,
}

/// <summary>How a layer blob was stored.</summary>
public enum LayerCompression { None, Gzip, Zstd }

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

/// <summary>A layer blob as the reader meets it, before its entries are read.</summary>
public sealed class LayerBlob
{
    /// <summary>Path of the blob inside the archive/layout (<c>&lt;v1id&gt;/layer.tar</c>, <c>blobs/sha256/&lt;hex&gt;</c>).</summary>
    public string Key { get; internal set; } = "";

    /// <summary>Digest of the stored blob when the archive names it (OCI <c>blobs/sha256/…</c>), else null.</summary>
    public string? BlobDigest { get; internal set; }

    /// <summary>The diff ID when known before reading (OCI layout read manifest-first), else null.</summary>
    public string? ExpectedDiffId { get; internal set; }

    /// <summary>The layer's position when known before reading, else -1.</summary>
    public int ExpectedIndex { get; internal set; } = -1;

    /// <summary>Stored bytes of the blob (compressed size for gzip/zstd).</summary>
    public long StoredLength { get; internal set; }

    public LayerCompression Compression { get; internal set; }

    /// <summary>
    /// SHA-256 (hex) of the first up to 64 KiB of the uncompressed layer tar plus its length when plain: a cheap
    /// fingerprint a cache can use to guess a layer before its diff ID is known. The guess must be confirmed against
    /// <see cref="LayerDigest.DiffId"/>.
    /// </summary>
    public string PrefixFingerprint { get; internal set; } = "";

    public override string ToString() => Key;
}

/// <summary>What the reader learnt from reading a layer blob to its end.</summary>
public sealed class LayerDigest
{
    /// <summary>SHA-256 of the uncompressed tar (<c>sha256:…</c>), i.e. the layer's diff ID.</summary>
    public string DiffId { get; internal set; } = "";

    /// <summary>Bytes of the uncompressed tar.</summary>
    public long TarLength { get; internal set; }

    /// <summary>Number of tar entries (0 when the layer was skipped).</summary>
    public int EntryCount { get; internal set; }

    /// <summary>True when the visitor read the entries; false when it skipped the layer.</summary>
    public bool Visited { get; internal set; }
}

/// <summary>One layer of the image in order, known once the manifest and config are read.</summary>
public sealed class ImageLayerRef
{
    public int Index { get; internal set; }
    /// <summary>The blob key (see <see cref="LayerBlob.Key"/>) the layer was read from.</summary>
    public string Key { get; internal set; } = "";
    public string DiffId { get; internal set; } = "";
    public string? BlobDigest { get; internal set; }
    public string? MediaType { get; internal set; }
    public override string ToString() => $"{Index} {DiffId}";
}

/// <summary>One history entry of the image config.</summary>
public sealed class ImageConfigHistory
{
    public string CreatedBy { get; internal set; } = "";
    public bool EmptyLayer { get; internal set; }
    public DateTime? Created { get; internal set; }
    public string? Comment { get; internal set; }
}

/// <summary>The parts of the image config the analysers use; <see cref="ImageContents.ConfigJson"/> has all of it.</summary>
public sealed class ImageConfigSummary
{
    public string Os { get; internal set; } = "";
    public string Architecture { get; internal set; } = "";
    public string User { get; internal set; } = "";
    public string[] DiffIds { get; internal set; } = Array.Empty<string>();
    public ImageConfigHistory[] History { get; internal set; } = Array.Empty<ImageConfigHistory>();
    public bool HasHealthcheck { get; internal set; }
    public string[] EnvNames { get; internal set; } = Array.Empty<string>();
    public string[] Entrypoint { get; internal set; } = Array.Empty<string>();
    public string[] Cmd { get; internal set; } = Array.Empty<string>();
    public Dictionary<string, string> Labels { get; internal set; } = new(StringComparer.Ordinal);
}

/// <summary>How the archive was laid out.</summary>
public enum ImageArchiveFormat { DockerSave, OciLayout }

/// <summary>The manifest side of an image, given to <see cref="IImageVisitor.EndImage"/> after all layers.</summary>
public sealed class ImageContents
{
    public ImageArchiveFormat Format { get; internal set; }
    public string? ConfigDigest { get; internal set; }
    /// <summary>The raw image config JSON.</summary>
    public byte[] ConfigJson { get; internal set; } = Array.Empty<byte>();
    public ImageConfigSummary Config { get; internal set; } = new();
    /// <summary>Layers bottom-up, each with its verified diff ID.</summary>
    public IReadOnlyList<ImageLayerRef> Layers { get; internal set; } = Array.Empty<ImageLayerRef>();
    public string[] RepoTags { get; internal set; } = Array.Empty<string>();
}

/// <summary>Receives an image from <see cref="ImageReader"/>. Called on the reader's thread, one call at a time.</summary>
public interface IImageVisitor
{
    /// <summary>
    /// A layer blob begins (in archive order, which for <c>docker save</c> is NOT layer order). Return a visitor for its
    /// entries, or null to skip them (the reader still reads the blob to compute its diff ID).
    /// </summary>
    ILayerVisitor? BeginLayer(LayerBlob blob);

    /// <summary>The blob was read to its end; called for visited and skipped layers alike.</summary>
    void EndLayer(LayerBlob blob, LayerDigest digest);

    /// <summary>Called once, after every layer, with the config and the layer order.</summary>
    void EndImage(ImageContents image);
}

/// <summary>Receives the entries of one layer in tar order.</summary>
public interface ILayerVisitor
{
    /// <summary>One entry; <paramref name="entry"/> and its content are valid only during this call.</summary>
    void OnEntry(LayerEntry entry);
}

namespace DockOpt.Engine.Images;

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

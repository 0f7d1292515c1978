namespace DockOpt;

/// <summary>
/// What Measure-DockOptImage found in one image: per-layer figures, waste, duplicates, efficiency, score and
/// recommendations. The headline numbers are flat properties (one Export-Csv row); the details are arrays.
/// The accounting is documented in about_DockOpt_Analysis.
/// </summary>
public sealed class ImageAnalysis
{
    /// <summary>Version of this object's JSON shape (-OutFile); bumped on breaking changes.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>The image name as given (or the archive path).</summary>
    public string Image { get; set; } = "";

    /// <summary>Image ID (config digest, <c>sha256:…</c>).</summary>
    public string ImageId { get; set; } = "";

    /// <summary>
    /// Where the image was read, transport-qualified as skopeo writes it: <c>docker-daemon:app:1</c> (the engine),
    /// <c>docker://host/repo:tag</c> (a registry), <c>docker-archive:path</c>, <c>oci-archive:path</c>, <c>oci:dir</c>.
    /// </summary>
    public string Source { get; set; } = "";

    /// <summary>All history entries bottom-up (empty ones with Size 0), as <c>docker history</c> lists them reversed.</summary>
    public LayerAnalysis[] Layers { get; set; } = Array.Empty<LayerAnalysis>();

    /// <summary>Number of layers with content (RootFS.Layers).</summary>
    public int LayerCount { get; set; }

    /// <summary>Sum of the layer sizes: the bytes the engine stores for the image (overlay2 accounting).</summary>
    public long TotalSize { get; set; }

    /// <summary>
    /// Compressed bytes of the layers: for a registry image (docker://) the sum of the manifest's layer sizes, exactly
    /// what a pull transfers and the registry stores; for a local image the push estimate (layers gzipped as docker push
    /// does) when its layers were estimated before (Compare-DockOptImage, Get-DockOptImage -CompressedSize); else null.
    /// </summary>
    public long? CompressedSize { get; set; }

    /// <summary>
    /// Regular-file bytes a container created from the image shows (hard-linked files once): what <c>docker export</c>
    /// holds. The engine's init layer empties /etc/hostname, /etc/hosts and /etc/resolv.conf in every container, so
    /// their image bytes are not counted.
    /// </summary>
    public long FinalSize { get; set; }

    /// <summary>Non-directory paths (files, links, devices) visible in the final filesystem.</summary>
    public int FileCount { get; set; }

    /// <summary>Bytes stored in some layer but not visible in the final filesystem; each stored copy once, never the kept copy.</summary>
    public long ReclaimableBytes { get; set; }

    /// <summary>Reclaimable bytes of paths matched by -IgnorePath, left out of ReclaimableBytes and the gates.</summary>
    public long IgnoredReclaimableBytes { get; set; }

    /// <summary>Each stored-but-hidden copy, largest first.</summary>
    public WasteEntry[] Waste { get; set; } = Array.Empty<WasteEntry>();

    /// <summary>Bytes of identical regular-file content stored at more than one path of the final filesystem (all copies but one).</summary>
    public long DuplicateBytes { get; set; }

    /// <summary>Groups of identical content, largest saving first (at most 100 listed; DuplicateBytes counts all).</summary>
    public DuplicateGroup[] Duplicates { get; set; } = Array.Empty<DuplicateGroup>();

    /// <summary>1 - ReclaimableBytes / TotalSize (1 when the image is empty).</summary>
    public double Efficiency { get; set; }

    /// <summary>dive's efficiencyScore for the same image (Σ min / Σ cumulative per path), for moving CI thresholds over.</summary>
    public double DiveEfficiency { get; set; }

    /// <summary>dive's inefficientBytes (Σ cumulative size of paths seen in more than one layer, kept copy included).</summary>
    public long DiveWastedBytes { get; set; }

    /// <summary>How base layers were found: <c>BaseImage</c>, <c>History</c>, <c>SharedLayers</c> or <c>None</c>.</summary>
    public string BaseLayerSource { get; set; } = "None";

    /// <summary>The base image, when known (name or ID).</summary>
    public string? BaseImage { get; set; }

    /// <summary>Layers with content that belong to the base image.</summary>
    public int BaseLayerCount { get; set; }

    /// <summary>Sum of the sizes of the image's own (non-base) layers.</summary>
    public long OwnSize { get; set; }

    /// <summary>Reclaimable bytes stored in own layers.</summary>
    public long OwnReclaimableBytes { get; set; }

    /// <summary>OwnReclaimableBytes / OwnSize × 100 (0 when OwnSize is 0).</summary>
    public double UserWastedPercent { get; set; }

    /// <summary>0-100: 100 minus each recommendation's ScoreDeduction (see about_DockOpt_Analysis).</summary>
    public int Score { get; set; }

    /// <summary>
    /// <c>Application</c> or <c>Base</c>: what the image was judged as. On a base image the application-only
    /// recommendations (root user, no HEALTHCHECK) are listed as Info and take nothing off the Score.
    /// </summary>
    public string Profile { get; set; } = "Application";

    /// <summary>Why the image got its Profile: -Profile, or the config facts the Auto rule read (about_DockOpt_Analysis, PROFILE).</summary>
    public string ProfileReason { get; set; } = "";

    public Recommendation[] Recommendations { get; set; } = Array.Empty<Recommendation>();

    /// <summary>Number of layers whose results came from the per-diff-ID cache.</summary>
    public int CachedLayers { get; set; }

    /// <summary>Gate violations of this image (empty when no gate was set or all passed).</summary>
    public string[] GateViolations { get; set; } = Array.Empty<string>();

    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>UTC.</summary>
    public DateTime AnalyzedAt { get; set; }

    public override string ToString() => Image;
}

/// <summary>One history entry of the image with its file accounting.</summary>
public sealed class LayerAnalysis
{
    /// <summary>Position in the image history, 0 = oldest (docker history lists the newest first).</summary>
    public int Index { get; set; }

    /// <summary>Position in RootFS.Layers, or -1 for an empty (metadata-only) history entry.</summary>
    public int LayerIndex { get; set; } = -1;

    /// <summary>Diff ID (<c>sha256:…</c>), empty for empty history entries.</summary>
    public string DiffId { get; set; } = "";

    public string CreatedBy { get; set; } = "";

    /// <summary>Uncompressed bytes as the engine's history reports them on overlay2 (files + symlink target lengths; hard links once).</summary>
    public long Size { get; set; }

    public bool IsEmpty { get; set; }

    /// <summary>Non-directory paths this layer creates that no lower layer had visible.</summary>
    public int FilesAdded { get; set; }

    /// <summary>Non-directory paths this layer rewrites that a lower layer had visible.</summary>
    public int FilesModified { get; set; }

    /// <summary>Visible lower non-directory paths this layer deletes (whiteouts, opaque directories).</summary>
    public int FilesRemoved { get; set; }

    /// <summary>Stored bytes of the paths this layer adds.</summary>
    public long BytesAdded { get; set; }

    /// <summary>Stored bytes of lower copies this layer's rewrites hide.</summary>
    public long BytesOverwritten { get; set; }

    /// <summary>Stored bytes of lower copies this layer's deletions hide.</summary>
    public long BytesDeleted { get; set; }

    /// <summary>Bytes stored in this layer that the final filesystem does not show.</summary>
    public long ReclaimableBytes { get; set; }

    public bool IsBaseLayer { get; set; }

    /// <summary>True when the result came from the per-diff-ID cache.</summary>
    public bool FromCache { get; set; }

    public override string ToString() => $"{Index}: {CreatedBy}";
}

/// <summary>Why stored bytes are not visible in the final filesystem.</summary>
public enum WasteCause
{
    /// <summary>A later layer deleted the path (or a parent directory).</summary>
    DeletedLater,
    /// <summary>A later layer wrote different content at the path.</summary>
    Overwritten,
    /// <summary>A later layer wrote the same content with a different mode or owner (chmod/chown).</summary>
    MetadataOnlyRewrite,
    /// <summary>A later layer wrote the same content with the same metadata again.</summary>
    OverwrittenWithIdenticalContent,
    /// <summary>A later layer made a parent directory opaque (<c>.wh..wh..opq</c>), hiding everything below it.</summary>
    HiddenByOpaqueDirectory,
}

/// <summary>One stored copy that the final filesystem does not show.</summary>
public sealed class WasteEntry
{
    /// <summary>Path, with a leading <c>/</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>History index of the layer that stores the copy.</summary>
    public int Layer { get; set; }

    /// <summary>History index of the layer that hid it.</summary>
    public int HiddenByLayer { get; set; }

    public long Bytes { get; set; }
    public WasteCause Cause { get; set; }

    /// <summary>True when the storing layer is a base-image layer.</summary>
    public bool InBaseLayer { get; set; }

    public override string ToString() => $"{Path} ({Cause})";
}

/// <summary>Identical content at several paths of the final filesystem.</summary>
public sealed class DuplicateGroup
{
    /// <summary>XxHash3 (64-bit, hex) of the content.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>Size of one copy.</summary>
    public long Size { get; set; }

    public int Count { get; set; }

    /// <summary>Size × (Count - 1): what keeping one copy (hard link or a single path) would save.</summary>
    public long DuplicateBytes { get; set; }

    /// <summary>Paths with a leading <c>/</c>, sorted.</summary>
    public string[] Paths { get; set; } = Array.Empty<string>();

    public override string ToString() => $"{Count} x {Size} B";
}

/// <summary>One finding of the analysis with its fix and its deduction from the score.</summary>
public sealed class Recommendation
{
    /// <summary>Stable identifier, e.g. <c>DOA001</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Short name of the rule, e.g. <c>reclaimable-bytes</c>.</summary>
    public string Rule { get; set; } = "";

    /// <summary><c>High</c>, <c>Medium</c>, <c>Low</c> or <c>Info</c>.</summary>
    public string Severity { get; set; } = "";

    public string Title { get; set; } = "";
    public string Detail { get; set; } = "";

    /// <summary>Bytes the fix would save (0 when it is not about size).</summary>
    public long EstimatedSavingsBytes { get; set; }

    /// <summary>History index of the layer most responsible, or null.</summary>
    public int? Layer { get; set; }

    /// <summary>Example paths (at most 20), with a leading <c>/</c>.</summary>
    public string[] Paths { get; set; } = Array.Empty<string>();

    public string Fix { get; set; } = "";

    /// <summary>Points this finding takes off the Score.</summary>
    public int ScoreDeduction { get; set; }

    /// <summary>Absolute URL of the rule's documentation (docs/rules/analysis.md#doannn).</summary>
    public string HelpUri { get; set; } = "";

    public override string ToString() => $"{Id} {Title}";
}

/// <summary>One file-level difference between two images, or a per-directory roll-up of them.</summary>
public sealed class FileChange
{
    /// <summary>Path with a leading <c>/</c> (a directory for roll-ups).</summary>
    public string Path { get; set; } = "";

    /// <summary><c>Added</c>, <c>Removed</c> or <c>Modified</c> (roll-ups: <c>Modified</c> when anything below changed).</summary>
    public string Change { get; set; } = "";

    /// <summary>File, Symlink, Hardlink, Device, Fifo, Directory (roll-up).</summary>
    public string Kind { get; set; } = "";

    public bool IsRollup { get; set; }
    public long OldSize { get; set; }
    public long NewSize { get; set; }
    public long SizeDelta { get; set; }
    public bool ContentChanged { get; set; }
    public bool ModeChanged { get; set; }
    public bool OwnerChanged { get; set; }

    /// <summary>Octal mode, e.g. <c>0755</c>; null when absent.</summary>
    public string? OldMode { get; set; }
    public string? NewMode { get; set; }

    /// <summary><c>uid:gid</c>; null when absent.</summary>
    public string? OldOwner { get; set; }
    public string? NewOwner { get; set; }

    /// <summary>XxHash3 hex of the content (regular files), or the link target.</summary>
    public string? OldHash { get; set; }
    public string? NewHash { get; set; }

    /// <summary>Roll-ups: files added, removed and modified below the directory.</summary>
    public int FilesAdded { get; set; }
    public int FilesRemoved { get; set; }
    public int FilesModified { get; set; }

    public override string ToString() => $"{Change} {Path}";
}

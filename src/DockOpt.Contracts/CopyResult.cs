namespace DockOpt;

/// <summary>Outcome of one image copied by Copy-DockOptImage.</summary>
public enum CopyStatus
{
    /// <summary>The destination now holds the image (verified by a manifest HEAD after the copy).</summary>
    Copied,

    /// <summary>The destination already held the same digest under the tag: only HEAD requests were sent.</summary>
    Unchanged,
}

/// <summary>One image (or whole multi-platform index) copied from one registry repository to another by Copy-DockOptImage.</summary>
public sealed class CopyResult
{
    /// <summary>The source reference as read, <c>host/repository:tag</c> or <c>host/repository@sha256:…</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>The destination reference written, <c>host/repository:tag</c> (or <c>@digest</c> when copied by digest).</summary>
    public string Destination { get; set; } = "";

    /// <summary>Manifest (or index) digest; the same at the source and the destination (bytes are copied unchanged).</summary>
    public string Digest { get; set; } = "";

    /// <summary>Pinned destination <c>host/repository@sha256:…</c>.</summary>
    public string ImageUri { get; set; } = "";

    /// <summary>Media type of the top manifest (an OCI index, a Docker manifest list, or an image manifest).</summary>
    public string MediaType { get; set; } = "";

    /// <summary>Platforms copied, <c>os/arch[/variant]</c> (an index entry without a platform is listed as <c>unknown</c>).</summary>
    public string[] Platforms { get; set; } = Array.Empty<string>();

    public int PlatformCount => Platforms.Length;

    /// <summary>Manifests written (children of an index, then the index; 0 when Unchanged).</summary>
    public int ManifestsCopied { get; set; }

    /// <summary>Blobs uploaded (read from the source and streamed to the destination).</summary>
    public int BlobsCopied { get; set; }

    /// <summary>Blobs mounted across repositories of the same registry (nothing transferred).</summary>
    public int BlobsMounted { get; set; }

    /// <summary>Blobs the destination already had (HEAD answered 200).</summary>
    public int BlobsSkipped { get; set; }

    /// <summary>Blob bytes uploaded to the destination (manifests not counted).</summary>
    public long BytesSent { get; set; }

    /// <summary>Sum of the config and layer sizes of every platform copied (compressed, as the registry stores them).</summary>
    public long Size { get; set; }

    public CopyStatus Status { get; set; }
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>Where the credentials of the source and destination came from; never the secrets.</summary>
    public string AuthSource { get; set; } = "";

    public override string ToString() => ImageUri;
}

namespace DockOpt;

/// <summary>Outcome of one tag published by Publish-DockOptImage.</summary>
public enum PublishStatus
{
    /// <summary>The registry now holds the image under the tag (verified by a manifest HEAD after the push).</summary>
    Pushed,

    /// <summary>The tag already pointed at the same manifest digest: nothing was sent.</summary>
    Unchanged,
}

/// <summary>How Publish-DockOptImage derives extra tags; combinable.</summary>
[Flags]
public enum PublishTagStrategy
{
    None = 0,

    /// <summary><c>latest</c>.</summary>
    Latest = 1,

    /// <summary>The short git commit of the current directory's repository (or GITHUB_SHA / BUILD_SOURCEVERSION).</summary>
    GitSha = 2,

    /// <summary><c>-Version</c> as a semantic version (1.2.3, 1.2, 1) with any <c>+build</c> metadata mapped to <c>_</c>.</summary>
    SemVer = 4,

    /// <summary>UTC timestamp <c>yyyyMMddTHHmmssZ</c>.</summary>
    Timestamp = 8,
}

/// <summary>One tag of one image published to a registry.</summary>
public sealed class PublishResult
{
    /// <summary>Registry host (with port), e.g. <c>123456789012.dkr.ecr.eu-west-1.amazonaws.com</c>.</summary>
    public string Registry { get; set; } = "";
    public string Repository { get; set; } = "";
    public string Tag { get; set; } = "";

    /// <summary>Manifest digest the tag points to in the registry (<c>sha256:…</c>).</summary>
    public string Digest { get; set; } = "";

    /// <summary>Pinned reference <c>registry/repository@sha256:…</c>, what a deployment manifest needs.</summary>
    public string ImageUri { get; set; } = "";

    /// <summary>Tag reference <c>registry/repository:tag</c>.</summary>
    public string Reference => $"{Registry}/{Repository}:{Tag}";

    /// <summary>Local image ID (<c>sha256:…</c>); for a multi-platform index, the IDs of its images, comma-separated.</summary>
    public string ImageId { get; set; } = "";

    /// <summary>
    /// With -MultiPlatform: the image's <c>os/arch[/variant]</c> on a platform tag, the platforms of the index (comma-separated)
    /// on an index tag; null for a single-platform publish.
    /// </summary>
    public string? Platform { get; set; }

    /// <summary>Media type of what the tag names, when DockOpt wrote it itself (the OCI image index of -MultiPlatform); otherwise null.</summary>
    public string? MediaType { get; set; }

    /// <summary>Local image size in bytes (docker image inspect .Size).</summary>
    public long Size { get; set; }

    /// <summary>Size of the manifest in bytes, as the registry reports it.</summary>
    public long ManifestSize { get; set; }

    public int LayersPushed { get; set; }
    public int LayersSkipped { get; set; }

    /// <summary>Layer bytes the engine uploaded for this tag (0 when every layer already existed).</summary>
    public long BytesPushed { get; set; }

    public PublishStatus Status { get; set; }
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>Attempts the push took (1 when no retry was needed; 0 when nothing was pushed).</summary>
    public int Attempts { get; set; }

    /// <summary>Where the credentials came from (e.g. <c>Credential</c>, <c>config.json auths</c>, <c>credHelper ecr-login</c>, <c>anonymous</c>); never the secret.</summary>
    public string AuthSource { get; set; } = "";

    /// <summary>UTC time the tag was confirmed.</summary>
    public DateTime PublishedAt { get; set; }

    /// <summary>ECR scan summary with -WaitForScan; otherwise null.</summary>
    public EcrScanSummary? Scan { get; set; }

    public int ScanCritical => Scan?.Critical ?? 0;
    public int ScanHigh => Scan?.High ?? 0;
    public string? ScanStatus => Scan?.Status;

    public override string ToString() => ImageUri;
}

/// <summary>Severity counts of an Amazon ECR image scan (DescribeImageScanFindings).</summary>
public sealed class EcrScanSummary
{
    /// <summary>imageScanStatus.status: COMPLETE, FAILED, IN_PROGRESS (timed out), UNSUPPORTED_IMAGE, …</summary>
    public string Status { get; set; } = "";
    public string? Description { get; set; }
    public int Critical { get; set; }
    public int High { get; set; }
    public int Medium { get; set; }
    public int Low { get; set; }
    public int Informational { get; set; }
    public int Undefined { get; set; }
    public int Total => Critical + High + Medium + Low + Informational + Undefined;

    /// <summary>UTC completion time the registry reported.</summary>
    public DateTime? CompletedAt { get; set; }
    public TimeSpan WaitTime { get; set; }

    public override string ToString() => $"{Status}: {Critical} critical, {High} high, {Medium} medium, {Low} low";
}

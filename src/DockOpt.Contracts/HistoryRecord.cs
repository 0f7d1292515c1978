namespace DockOpt;

/// <summary>Kinds of history records.</summary>
public static class HistoryKind
{
    public const string Build = "Build";
    public const string Comparison = "Comparison";
}

/// <summary>
/// One line of a DockOpt history file (JSON lines, append-only): a build or a comparison, flat so that
/// Get-DockOptHistory | Export-Csv gives one row per record.
/// </summary>
public sealed class HistoryRecord
{
    /// <summary>Format version of the line.</summary>
    public int SchemaVersion { get; set; } = 1;

    /// <summary>When the record was made (UTC): the build start, or the comparison time.</summary>
    public DateTime Timestamp { get; set; }

    /// <summary><c>Build</c> or <c>Comparison</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The image the record is about: the built image, or the difference image of a comparison (<c>repository:tag</c> or an ID).</summary>
    public string Image { get; set; } = "";
    public string? Repository { get; set; }
    public string? Tag { get; set; }
    public string ImageId { get; set; } = "";

    /// <summary>Bytes (docker image inspect).</summary>
    public long Size { get; set; }
    public int LayerCount { get; set; }

    /// <summary>Build duration in seconds; for a comparison, the difference image's build time when known.</summary>
    public double? DurationSeconds { get; set; }
    public TimeSpan? Duration => DurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null;

    // Build details.
    public string? Dockerfile { get; set; }
    public string? ContextPath { get; set; }
    public string? Target { get; set; }
    public int? StepCount { get; set; }
    public int? CacheHits { get; set; }
    public int? CacheMisses { get; set; }
    public long? ContextBytes { get; set; }
    public string? GitCommit { get; set; }
    public string? GitBranch { get; set; }

    // Comparison details: the reference side and the result.
    public string? ReferenceImage { get; set; }
    public string? ReferenceImageId { get; set; }
    public long? ReferenceSize { get; set; }
    public double? ReferenceDurationSeconds { get; set; }
    public long? SizeReduction { get; set; }
    public double? ReductionPercent { get; set; }
    public double? MonthlySavings { get; set; }
    public double? YearlySavings { get; set; }

    public string? Engine { get; set; }

    /// <summary>Machine that made the record.</summary>
    public string? Host { get; set; }

    /// <summary>File and 1-based line the record was read from (not stored).</summary>
    public string? Source { get; set; }
    public long? Line { get; set; }

    public override string ToString() => $"{Timestamp:u} {Kind} {Image} {ByteSize.Format(Size)}";

    static (string? Repository, string? Tag) Split(string name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith("sha256:", StringComparison.Ordinal)) return (null, null);
        var at = name.IndexOf('@');
        if (at >= 0) name = name.Substring(0, at);
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? (name.Substring(0, colon), name.Substring(colon + 1)) : (name, "latest");
    }

    /// <summary>The record of one build (call after Invoke-DockOptBuild produced <paramref name="build"/>).</summary>
    public static HistoryRecord FromBuild(BuildResult build)
    {
        if (build == null) throw new ArgumentNullException(nameof(build));
        var (repo, tag) = Split(build.Name);
        return new HistoryRecord
        {
            Timestamp = (build.StartedAt == default ? DateTime.UtcNow : build.StartedAt).ToUniversalTime(),
            Kind = HistoryKind.Build,
            Image = build.Name,
            Repository = repo,
            Tag = tag,
            ImageId = build.ImageId,
            Size = build.Size,
            LayerCount = build.LayerCount,
            DurationSeconds = build.DurationSeconds,
            Dockerfile = build.Dockerfile,
            ContextPath = build.ContextPath,
            Target = build.Target,
            StepCount = build.StepCount,
            CacheHits = build.CacheHits,
            CacheMisses = build.CacheMisses,
            ContextBytes = build.ContextBytes,
            GitCommit = build.GitCommit,
            GitBranch = build.GitBranch,
            Engine = build.Engine,
            Host = Environment.MachineName,
        };
    }

    /// <summary>The record of one comparison; <see cref="Image"/> is the difference image.</summary>
    public static HistoryRecord FromComparison(ImageComparison c)
    {
        if (c == null) throw new ArgumentNullException(nameof(c));
        var (repo, tag) = Split(c.DifferenceImage);
        return new HistoryRecord
        {
            Timestamp = (c.ComparedAt == default ? DateTime.UtcNow : c.ComparedAt).ToUniversalTime(),
            Kind = HistoryKind.Comparison,
            Image = c.DifferenceImage,
            Repository = repo,
            Tag = tag,
            ImageId = c.DifferenceImageId,
            Size = c.DifferenceSize,
            LayerCount = c.DifferenceLayerCount,
            DurationSeconds = c.DifferenceBuildSeconds,
            ReferenceImage = c.ReferenceImage,
            ReferenceImageId = c.ReferenceImageId,
            ReferenceSize = c.ReferenceSize,
            ReferenceDurationSeconds = c.ReferenceBuildSeconds,
            SizeReduction = c.SizeReduction,
            ReductionPercent = c.ReductionPercent,
            MonthlySavings = c.MonthlySavings,
            YearlySavings = c.YearlySavings,
            Engine = c.Engine,
            Host = Environment.MachineName,
        };
    }
}

/// <summary>Get-DockOptHistory -Summary: the trend of one image (per kind of record), one CSV row.</summary>
public sealed class HistorySummary
{
    public string Image { get; set; } = "";
    public string Kind { get; set; } = "";
    public int Count { get; set; }

    /// <summary>Timestamps of the first and last record (UTC).</summary>
    public DateTime First { get; set; }
    public DateTime Last { get; set; }

    public long MinSize { get; set; }
    public long MaxSize { get; set; }
    public long MeanSize { get; set; }
    public long LastSize { get; set; }
    public string LastImageId { get; set; } = "";

    /// <summary>Size of the record before the last one; null when there is only one.</summary>
    public long? PreviousSize { get; set; }

    /// <summary>LastSize − PreviousSize (positive: the image grew).</summary>
    public long? SizeChange { get; set; }
    public double? SizeChangePercent { get; set; }

    /// <summary>Build time statistics over the records that carry one (seconds); null when none do.</summary>
    public int DurationCount { get; set; }
    public double? MinDurationSeconds { get; set; }
    public double? MaxDurationSeconds { get; set; }
    public double? MeanDurationSeconds { get; set; }
    public TimeSpan? MeanDuration => MeanDurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
    public double? LastDurationSeconds { get; set; }
    public double? PreviousDurationSeconds { get; set; }
    public double? DurationChangeSeconds { get; set; }

    public override string ToString() => $"{Image} ({Kind}): {Count} records, last {ByteSize.Format(LastSize)}";
}

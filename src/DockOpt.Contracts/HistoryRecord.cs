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
    public long? SizeChange => LastSize - PreviousSize;
    public double? SizeChangePercent => PreviousSize is > 0 and var p ? Math.Round(100.0 * (LastSize - p) / p, 2) : null;

    /// <summary>Build time statistics over the records that carry one (seconds); null when none do.</summary>
    public int DurationCount { get; set; }
    public double? MinDurationSeconds { get; set; }
    public double? MaxDurationSeconds { get; set; }
    public double? MeanDurationSeconds { get; set; }
    public TimeSpan? MeanDuration => MeanDurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
    public double? LastDurationSeconds { get; set; }
    public double? PreviousDurationSeconds { get; set; }
    public double? DurationChangeSeconds => LastDurationSeconds - PreviousDurationSeconds is { } d ? Math.Round(d, 3) : null;

    public override string ToString() => $"{Image} ({Kind}): {Count} records, last {ByteSize.Format(LastSize)}";
}

namespace DockOpt;

/// <summary>How one image check ended.</summary>
public enum ImageTestOutcome
{
    /// <summary>The check ran and its expectation held.</summary>
    Passed,

    /// <summary>The check ran and its expectation did not hold.</summary>
    Failed,

    /// <summary>The check could not run (never a pass).</summary>
    Error,

    /// <summary>The check was not run (for example the container never became ready).</summary>
    Skipped,
}

/// <summary>One check of Test-DockOptImage.</summary>
public sealed class ImageTestResult
{
    /// <summary>The image as given (name or ID).</summary>
    public string Image { get; set; } = "";

    /// <summary>Full image ID (<c>sha256:…</c>), when the image was found.</summary>
    public string ImageId { get; set; } = "";

    /// <summary>Metadata, Files, Command, Startup, Http, Health, Resources, Shutdown or Suite.</summary>
    public string Category { get; set; } = "";

    public string Name { get; set; } = "";

    public ImageTestOutcome Outcome { get; set; }

    /// <summary>True only for <see cref="ImageTestOutcome.Passed"/>.</summary>
    public bool Passed => Outcome == ImageTestOutcome.Passed;

    public string Expected { get; set; } = "";
    public string Actual { get; set; } = "";
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>What happened and, for a failure, what to do about it.</summary>
    public string Message { get; set; } = "";

    /// <summary>Extra evidence: last log lines, the health log, command output (may be several lines).</summary>
    public string? Detail { get; set; }

    /// <summary>The measured number behind a resource, latency or timing check (bytes, percent, count or seconds), else null.</summary>
    public double? Value { get; set; }

    /// <summary>UTC time the check finished.</summary>
    public DateTime Timestamp { get; set; }

    public override string ToString() => $"[{Outcome}] {Category}: {Name}";
}

/// <summary>Totals of one Test-DockOptImage run on one image (-Summary).</summary>
public sealed class ImageTestSummary
{
    public string Image { get; set; } = "";
    public string ImageId { get; set; } = "";
    public int Total { get; set; }
    public int PassedCount { get; set; }
    public int FailedCount { get; set; }
    public int ErrorCount { get; set; }
    public int SkippedCount { get; set; }

    /// <summary>True when at least one check ran and none failed or errored.</summary>
    public bool Success { get; set; }

    /// <summary>Passed, Failed (any failure) or Error (any error, or no check ran).</summary>
    public ImageTestOutcome Outcome { get; set; }

    /// <summary>Create to ready, when a container was started and became ready.</summary>
    public TimeSpan? StartupTime { get; set; }
    public double? StartupSeconds => StartupTime is { } t ? Math.Round(t.TotalSeconds, 3) : null;

    /// <summary>Peak memory of the container in bytes, from the engine's stats.</summary>
    public long? PeakMemory { get; set; }

    /// <summary>Name of the container used (kept only with -KeepContainer).</summary>
    public string? ContainerName { get; set; }
    public bool ContainerKept { get; set; }

    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>UTC.</summary>
    public DateTime StartedAt { get; set; }

    public override string ToString() => $"{Image}: {PassedCount}/{Total} passed, {FailedCount} failed, {ErrorCount} errors";
}

namespace DockOpt;

/// <summary>One image built by Invoke-DockOptBuild.</summary>
public sealed class BuildResult
{
    public string ImageId { get; set; } = "";
    public string[] Tags { get; set; } = Array.Empty<string>();

    /// <summary>First tag, or the image ID when untagged; lets the object pipe into -Name parameters.</summary>
    public string Name => Tags.Length > 0 ? Tags[0] : ImageId;

    public string Dockerfile { get; set; } = "";
    public string ContextPath { get; set; } = "";
    public string? Target { get; set; }

    /// <summary>Image size in bytes, equal to docker image inspect.</summary>
    public long Size { get; set; }
    public int LayerCount { get; set; }
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);
    public int StepCount { get; set; }
    public int CacheHits { get; set; }
    public int CacheMisses { get; set; }

    /// <summary>Bytes of the build context sent to the engine (after .dockerignore).</summary>
    public long ContextBytes { get; set; }
    public BuildStep[] Steps { get; set; } = Array.Empty<BuildStep>();

    /// <summary>Names of the build arguments given (never their values).</summary>
    public string[] BuildArgNames { get; set; } = Array.Empty<string>();
    public string? GitCommit { get; set; }
    public string? GitBranch { get; set; }

    /// <summary>UTC.</summary>
    public DateTime StartedAt { get; set; }
    public string Engine { get; set; } = "";

    public override string ToString() => Name;
}

/// <summary>One step of a classic-builder build.</summary>
public sealed class BuildStep
{
    public int Number { get; set; }
    public string Instruction { get; set; } = "";
    public bool Cached { get; set; }
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);
    public override string ToString() => $"Step {Number}: {Instruction}";
}

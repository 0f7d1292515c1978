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

    /// <summary>Files, directories and links in the context sent (after .dockerignore).</summary>
    public int ContextEntryCount { get; set; }

    /// <summary>From the start of the request until the engine had received and unpacked the context and began the first step.</summary>
    public TimeSpan ContextDuration { get; set; }
    public double ContextSeconds => Math.Round(ContextDuration.TotalSeconds, 3);

    /// <summary>The ignore file that applied (.dockerignore or &lt;Dockerfile&gt;.dockerignore), if any.</summary>
    public string? IgnoreFile { get; set; }
    public BuildStep[] Steps { get; set; } = Array.Empty<BuildStep>();

    /// <summary>Names of the build arguments given (never their values).</summary>
    public string[] BuildArgNames { get; set; } = Array.Empty<string>();
    public string? GitCommit { get; set; }
    public string? GitBranch { get; set; }

    /// <summary>UTC.</summary>
    public DateTime StartedAt { get; set; }
    public string Engine { get; set; } = "";

    /// <summary>Which builder ran: "BuildKit" or "Classic".</summary>
    public string Builder { get; set; } = "Classic";

    public override string ToString() => Name;
}

/// <summary>One step of a build (one Dockerfile instruction).</summary>
public sealed class BuildStep
{
    public int Number { get; set; }
    public string Instruction { get; set; } = "";

    /// <summary>Line of the instruction in the Dockerfile (1-based), when known.</summary>
    public int? Line { get; set; }
    public bool Cached { get; set; }
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);

    /// <summary>BuildKit: the stage the step belongs to (its AS name, or stage-N); null for the classic builder.</summary>
    public string? Stage { get; set; }

    /// <summary>BuildKit: when the step started (UTC), as the engine reported it.</summary>
    public DateTime? StartedAt { get; set; }
    public override string ToString() => $"Step {Number}: {Instruction}";
}

/// <summary>
/// A build step failed (BuildStepFailed): which step, its instruction and Dockerfile line, the exit code and the last
/// lines of its output. Reached from PowerShell as <c>$err.Exception</c>.
/// </summary>
public sealed class BuildStepFailedException : DockOptException
{
    public BuildStepFailedException(string message, object? target, string? recommendedAction, int stepNumber, int stepCount,
        string instruction, int? line, int? exitCode, string[] outputTail, string dockerfile)
        : base(ErrorIds.BuildStepFailed, DockOptErrorCategory.InvalidResult, message, target, recommendedAction)
    {
        StepNumber = stepNumber;
        StepCount = stepCount;
        Instruction = instruction;
        Line = line;
        ExitCode = exitCode;
        OutputTail = outputTail;
        Dockerfile = dockerfile;
    }

    public int StepNumber { get; }
    public int StepCount { get; }
    public string Instruction { get; }
    public int? Line { get; }
    public int? ExitCode { get; }

    /// <summary>The last (at most 20) lines the step printed.</summary>
    public string[] OutputTail { get; }
    public string Dockerfile { get; }
}

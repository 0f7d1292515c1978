namespace DockOpt;

/// <summary>One local image, as Get-DockOptImage reports it.</summary>
public sealed class ImageInfo
{
    /// <summary>Full image ID (<c>sha256:…</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>First 12 hex digits of the ID, as <c>docker images</c> shows it.</summary>
    public string ShortId => Id.StartsWith("sha256:", StringComparison.Ordinal) && Id.Length >= 19 ? Id.Substring(7, 12) : Id;

    /// <summary>Repository of the tag this object was found by (or the first tag); <c>&lt;none&gt;</c> when untagged.</summary>
    public string Repository { get; set; } = "<none>";

    public string Tag { get; set; } = "<none>";

    /// <summary><c>Repository:Tag</c>, or the ID when untagged. Lets the object pipe into any -Name parameter.</summary>
    public string Name => Repository == "<none>" ? Id : Repository + ":" + Tag;

    public string[] RepoTags { get; set; } = Array.Empty<string>();
    public string[] RepoDigests { get; set; } = Array.Empty<string>();

    /// <summary>Size in bytes, equal to <c>docker image inspect --format '{{.Size}}'</c>.</summary>
    public long Size { get; set; }

    /// <summary>
    /// Estimated bytes <c>docker push</c> sends (each layer gzipped at the default level, as the engine does; within about
    /// 1 % of a real push): known when every layer was estimated before (Compare-DockOptImage, Get-DockOptImage
    /// -CompressedSize), else null.
    /// </summary>
    public long? CompressedSize { get; set; }

    /// <summary>Number of <c>RootFS.Layers</c>.</summary>
    public int LayerCount { get; set; }

    public string[] LayerDiffIds { get; set; } = Array.Empty<string>();

    /// <summary>Creation time, UTC.</summary>
    public DateTime Created { get; set; }

    public string Architecture { get; set; } = "";
    public string? Variant { get; set; }
    public string Os { get; set; } = "";
    public string User { get; set; } = "";
    public string WorkingDir { get; set; } = "";
    public string[] Entrypoint { get; set; } = Array.Empty<string>();
    public string[] Cmd { get; set; } = Array.Empty<string>();

    /// <summary>Exposed ports with protocol, e.g. <c>5000/tcp</c>.</summary>
    public string[] ExposedPorts { get; set; } = Array.Empty<string>();

    /// <summary>Names of the environment variables (values may hold secrets).</summary>
    public string[] EnvNames { get; set; } = Array.Empty<string>();

    /// <summary>Values of the environment, only filled with -IncludeEnvValues.</summary>
    public Dictionary<string, string>? Env { get; set; }

    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    public HealthcheckInfo? Healthcheck { get; set; }
    public string? StopSignal { get; set; }
    public ImageHistoryEntry[] History { get; set; } = Array.Empty<ImageHistoryEntry>();

    /// <summary>The engine endpoint the image lives on.</summary>
    public string Engine { get; set; } = "";

    public override string ToString() => Name;
}

/// <summary>The HEALTHCHECK of an image config.</summary>
public sealed class HealthcheckInfo
{
    /// <summary>The test, e.g. <c>CMD-SHELL curl -f http://localhost/</c>; <c>NONE</c> when disabled.</summary>
    public string[] Test { get; set; } = Array.Empty<string>();
    public TimeSpan? Interval { get; set; }
    public TimeSpan? Timeout { get; set; }
    public TimeSpan? StartPeriod { get; set; }
    public int? Retries { get; set; }
    public bool Disabled => Test.Length > 0 && string.Equals(Test[0], "NONE", StringComparison.OrdinalIgnoreCase);
    public override string ToString() => string.Join(" ", Test);
}

/// <summary>One entry of the image history.</summary>
public sealed class ImageHistoryEntry
{
    public string CreatedBy { get; set; } = "";
    public long Size { get; set; }
    public bool EmptyLayer { get; set; }
    public DateTime? Created { get; set; }
    public string? Comment { get; set; }
    public override string ToString() => CreatedBy;
}

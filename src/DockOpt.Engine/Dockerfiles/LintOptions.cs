namespace DockOpt.Engine.Dockerfiles;

/// <summary>Configuration of a lint run (from .dockopt.yml, .hadolint.yaml and parameters).</summary>
public sealed class LintOptions
{
    /// <summary>Rule ids to drop: DockOpt ids, hadolint DL ids or build-check names.</summary>
    public HashSet<string> Ignored { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Opt-in rules to turn on (DO3005 pinning, DO5006 digest pinning).</summary>
    public HashSet<string> Enabled { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Rule id (any of the three kinds) → severity.</summary>
    public Dictionary<string, Severity> SeverityOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Severity? FailureThreshold { get; set; }
    public List<string> TrustedRegistries { get; } = new();
    /// <summary>Label → format (text, url, semver, hash, rfc3339, spdx, email).</summary>
    public Dictionary<string, string> RequiredLabels { get; } = new(StringComparer.Ordinal);
    public bool StrictLabels { get; set; }
    public bool DisableInlineIgnore { get; set; }
    public Dictionary<string, string> BuildArgs { get; } = new(StringComparer.Ordinal);
    public string? Target { get; set; }
    /// <summary>Config files that were read.</summary>
    public List<string> Sources { get; } = new();
}

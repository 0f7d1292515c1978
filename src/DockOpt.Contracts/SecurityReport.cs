namespace DockOpt;

/// <summary>The result of scanning one image with Invoke-DockOptScan.</summary>
public sealed class SecurityReport
{
    public string Image { get; set; } = "";
    public string ImageId { get; set; } = "";

    /// <summary>Where the image was read, transport-qualified: docker-daemon:name, docker://host/repo:tag, docker-archive:path, oci:dir.</summary>
    public string Source { get; set; } = "";

    /// <summary>Passed, PolicyFailed or Incomplete (no vulnerability data, an empty database, or work the scan skipped; see Errors). An incomplete scan never reads as a pass.</summary>
    public string Outcome { get; set; } = "";

    /// <summary>0-100: 100 minus the capped deductions (see Invoke-DockOptScan help, "Score").</summary>
    public int Score { get; set; }

    /// <summary>A (&gt;90), B (71-90), C (51-70), D (31-50), E (11-30), F (0-10).</summary>
    public string Grade { get; set; } = "";
    public int Critical { get; set; }
    public int High { get; set; }
    public int Medium { get; set; }
    public int Low { get; set; }
    public int Info { get; set; }
    public int UnknownSeverity { get; set; }
    public int VulnerabilityCount { get; set; }
    public int FixableVulnerabilityCount { get; set; }
    public int SecretCount { get; set; }
    public int ConfigCount { get; set; }
    public int SuppressedCount { get; set; }
    public int PackageCount { get; set; }
    public double VulnerabilityDeduction { get; set; }
    public double SecretDeduction { get; set; }
    public double ConfigDeduction { get; set; }

    /// <summary>Findings at or above -Severity (secrets and configuration).</summary>
    public SecurityFinding[] Findings { get; set; } = Array.Empty<SecurityFinding>();

    /// <summary>Vulnerabilities at or above -Severity.</summary>
    public Vulnerability[] Vulnerabilities { get; set; } = Array.Empty<Vulnerability>();

    /// <summary>Ignore-file entries whose expiry date has passed (no longer applied).</summary>
    public string[] ExpiredIgnores { get; set; } = Array.Empty<string>();

    /// <summary>Ignore-file entries that matched nothing in this image.</summary>
    public string[] StaleIgnores { get; set; } = Array.Empty<string>();

    /// <summary>What made the gate fail (empty when it passed or no gate was asked for).</summary>
    public string[] GateReasons { get; set; } = Array.Empty<string>();

    /// <summary>Scanner problems (a missing vulnerability source, an unreadable layer).</summary>
    public string[] Errors { get; set; } = Array.Empty<string>();
    public string[] VulnerabilitySources { get; set; } = Array.Empty<string>();

    /// <summary>The vulnerability database path(s) used ("; "-separated), empty when none.</summary>
    public string Database { get; set; } = "";

    /// <summary>When the database was last downloaded or confirmed current (UTC), or null when unknown.</summary>
    public DateTime? DatabaseUpdatedAt { get; set; }

    /// <summary>OSV records of the image's ecosystems in the database (through the update index only the records of the image's packages are read).</summary>
    public int RecordCount { get; set; }

    /// <summary>Seconds spent loading the database (once per command; the same figure on every report of the command).</summary>
    public double DatabaseLoadSeconds { get; set; }
    public TimeSpan Duration { get; set; }
    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);
    public DateTime ScannedAt { get; set; }

    public override string ToString() => $"{Image} {Outcome} {Score}";
}

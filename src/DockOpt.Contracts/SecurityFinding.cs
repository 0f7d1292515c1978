namespace DockOpt;

/// <summary>A secret or configuration finding of Invoke-DockOptScan.</summary>
public sealed class SecurityFinding
{
    public string Image { get; set; } = "";

    /// <summary>Secret or Config.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Stable rule ID (DO-SEC-…, DO-CFG-…).</summary>
    public string RuleId { get; set; } = "";

    /// <summary>Critical, High, Medium, Low or Info.</summary>
    public string Severity { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>Where: a file path, ENV:NAME, LABEL:name, HISTORY:n, or the config field.</summary>
    public string Location { get; set; } = "";

    /// <summary>The matched text, redacted (never the secret itself).</summary>
    public string Match { get; set; } = "";

    /// <summary>For secrets in files: PresentInFinalImage or RemovedButExtractable; Config for metadata findings.</summary>
    public string Status { get; set; } = "";
    public int Layer { get; set; } = -1;
    public string LayerDiffId { get; set; } = "";
    public bool IsBaseLayer { get; set; }

    /// <summary>The Dockerfile whose instruction created this (when the scan knew the Dockerfile: -Dockerfile or a piped build result), else null.</summary>
    public string? Dockerfile { get; set; }

    /// <summary>The line of that instruction in <see cref="Dockerfile"/>, else null.</summary>
    public int? Line { get; set; }

    /// <summary>The first line of that instruction, else null.</summary>
    public string? Instruction { get; set; }
    public string Rationale { get; set; } = "";

    /// <summary>CIS Docker Benchmark section, e.g. 4.1.</summary>
    public string Cis { get; set; } = "";

    /// <summary>Dockle checkpoint equivalent, e.g. CIS-DI-0001.</summary>
    public string Dockle { get; set; } = "";
    public bool Suppressed { get; set; }
    public double Deduction { get; set; }

    public override string ToString() => $"{RuleId} {Location}";
}

namespace DockOpt;

/// <summary>One finding of Test-DockOptDockerfile. Positions are 1-based physical lines and columns of the file;
/// <see cref="EndColumn"/> is the column just after the last character (SARIF convention).</summary>
public sealed class LintFinding
{
    /// <summary>DockOpt rule id, e.g. <c>DO3003</c>.</summary>
    public string RuleId { get; set; } = "";

    /// <summary>Readable rule name, e.g. <c>AptGetMissingYes</c>.</summary>
    public string RuleName { get; set; } = "";

    /// <summary>DockOpt's severity (hadolint's style, info, warning, error are Info, Low, Medium, High).</summary>
    public Severity Severity { get; set; }

    /// <summary>hadolint's word for <see cref="Severity"/> (style, info, warning, error), for hadolint-format output.</summary>
    public string Level => LintLevels.ToHadolint(Severity);

    public string Message { get; set; } = "";

    /// <summary>Full path of the Dockerfile, or <c>&lt;content&gt;</c> for -Content.</summary>
    public string Path { get; set; } = "";

    public int Line { get; set; }
    public int Column { get; set; }
    public int EndLine { get; set; }
    public int EndColumn { get; set; }

    /// <summary>Stage name, or its index when unnamed; empty before the first FROM.</summary>
    public string Stage { get; set; } = "";

    /// <summary>The instruction keyword the finding is about (RUN, COPY, …).</summary>
    public string Instruction { get; set; } = "";

    /// <summary>What to change.</summary>
    public string Fix { get; set; } = "";

    /// <summary>True when -Fix can rewrite this finding safely.</summary>
    public bool Fixable { get; set; }

    public string HelpUri { get; set; } = "";

    /// <summary>The corresponding hadolint rule (DL…), when one exists.</summary>
    public string HadolintId { get; set; } = "";

    /// <summary>The corresponding Docker build check, when one exists.</summary>
    public string BuildCheckId { get; set; } = "";

    /// <summary>The ShellCheck code (SC…) of a finding on the shell script of a RUN, as hadolint reports it; else empty.</summary>
    public string ShellCheckId { get; set; } = "";

    public override string ToString() => $"{Path}:{Line}:{Column} {RuleId} {Severity}: {Message}";
}

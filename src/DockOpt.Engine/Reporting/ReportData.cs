namespace DockOpt.Engine.Reporting;

/// <summary>The DockOpt results a report is made of, grouped by type in the order they arrived.</summary>
public sealed class ReportData
{
    public List<BuildResult> Builds { get; } = new();
    public List<ImageComparison> Comparisons { get; } = new();
    public List<ImageAnalysis> Analyses { get; } = new();
    public List<LintFinding> LintFindings { get; } = new();
    public List<ImageTestResult> TestResults { get; } = new();
    public List<ImageTestSummary> TestSummaries { get; } = new();
    public List<SecurityReport> SecurityReports { get; } = new();
    public List<SecurityFinding> SecurityFindings { get; } = new();
    public List<Vulnerability> Vulnerabilities { get; } = new();
    public List<PublishResult> Publishes { get; } = new();
    public List<HistoryRecord> History { get; } = new();
    public List<HistorySummary> HistorySummaries { get; } = new();

    /// <summary>Adds one DockOpt result; false when the object is of no type a report shows.</summary>
    public bool Add(object? item)
    {
        switch (item)
        {
            case BuildResult b: Builds.Add(b); return true;
            case ImageComparison c: Comparisons.Add(c); return true;
            case ImageAnalysis a: Analyses.Add(a); return true;
            case LintFinding f: LintFindings.Add(f); return true;
            case ImageTestResult t: TestResults.Add(t); return true;
            case ImageTestSummary s: TestSummaries.Add(s); return true;
            case SecurityReport r: SecurityReports.Add(r); return true;
            case SecurityFinding sf: SecurityFindings.Add(sf); return true;
            case Vulnerability v: Vulnerabilities.Add(v); return true;
            case PublishResult p: Publishes.Add(p); return true;
            case HistoryRecord h: History.Add(h); return true;
            case HistorySummary hs: HistorySummaries.Add(hs); return true;
            default: return false;
        }
    }

    public bool IsEmpty =>
        Builds.Count + Comparisons.Count + Analyses.Count + LintFindings.Count + TestResults.Count + TestSummaries.Count +
        SecurityReports.Count + SecurityFindings.Count + Vulnerabilities.Count + Publishes.Count + History.Count + HistorySummaries.Count == 0;

    /// <summary>Severity counts of one scan report, highest first (Unknown last).</summary>
    public static IReadOnlyList<(string Severity, int Count)> SeverityCounts(SecurityReport r) => new[]
    {
        ("Critical", r.Critical), ("High", r.High), ("Medium", r.Medium), ("Low", r.Low), ("Info", r.Info), ("Unknown", r.UnknownSeverity),
    };

    /// <summary>Severity counts of loose findings and vulnerabilities (not part of a piped SecurityReport).</summary>
    public IReadOnlyList<(string Severity, int Count)> LooseSeverityCounts()
    {
        var names = new[] { "Critical", "High", "Medium", "Low", "Info", "Unknown" };
        var all = SecurityFindings.Where(f => !f.Suppressed).Select(f => Normalize(f.Severity))
            .Concat(Vulnerabilities.Where(v => !v.Suppressed).Select(v => Normalize(v.Severity.ToString()))).ToList();
        return names.Select(n => (n, all.Count(s => s == n))).ToList();
    }

    internal static string Normalize(string? severity) => (severity ?? "").Trim().ToLowerInvariant() switch
    {
        "critical" => "Critical",
        "high" or "error" or "important" => "High",
        "medium" or "moderate" or "warning" => "Medium",
        "low" => "Low",
        "info" or "informational" or "style" or "negligible" => "Info",
        _ => "Unknown",
    };

    /// <summary>Waste bytes per cause of one analysis, largest first.</summary>
    public static IReadOnlyList<(string Cause, long Bytes, int Files)> WasteByCause(ImageAnalysis a) =>
        a.Waste.GroupBy(w => w.Cause).Select(g => (g.Key.ToString(), g.Sum(w => w.Bytes), g.Count()))
            .OrderByDescending(x => x.Item2).ThenBy(x => x.Item1, StringComparer.Ordinal).ToList();

    /// <summary>Test outcomes per image (Passed, Failed, Error, Skipped).</summary>
    public IReadOnlyList<(string Image, int Passed, int Failed, int Error, int Skipped)> TestOutcomes() =>
        TestResults.GroupBy(t => t.Image, StringComparer.Ordinal).Select(g => (g.Key,
            g.Count(t => t.Outcome == ImageTestOutcome.Passed), g.Count(t => t.Outcome == ImageTestOutcome.Failed),
            g.Count(t => t.Outcome == ImageTestOutcome.Error), g.Count(t => t.Outcome == ImageTestOutcome.Skipped))).ToList();
}

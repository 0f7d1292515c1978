using System.Text;
using static DockOpt.Engine.Reporting.ReportText;

namespace DockOpt.Engine.Reporting;

/// <summary>
/// One concise markdown section per kind of DockOpt result. The CI step summaries (GitHub's
/// GITHUB_STEP_SUMMARY, Azure's uploadsummary) and Export-DockOptReport -Format Markdown share these.
/// </summary>
public static class MarkdownRenderers
{
    const int MaxRows = 20;

    public static string Builds(IReadOnlyList<BuildResult> builds)
    {
        if (builds.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### Builds").AppendLine();
        sb.AppendLine("| Image | Size | Layers | Steps | Cache hits | Build time | Context |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
        foreach (var b in builds)
            sb.AppendLine($"| {MdCode(b.Name)} | {Bytes(b.Size)} | {b.LayerCount} | {b.StepCount} | {b.CacheHits}/{b.StepCount} | {Seconds(b.DurationSeconds)} | {Bytes(b.ContextBytes)} |");
        foreach (var b in builds.Where(b => b.Steps.Length > 0))
        {
            var slow = b.Steps.Where(s => !s.Cached).OrderByDescending(s => s.Duration).Take(3).ToList();
            if (slow.Count == 0) continue;
            sb.AppendLine().Append("Slowest steps of ").Append(MdCode(b.Name)).Append(": ");
            sb.AppendLine(string.Join(", ", slow.Select(s => $"{s.Number} {MdCode(s.Instruction, 60)} ({Seconds(s.DurationSeconds)})")));
        }
        return sb.AppendLine().ToString();
    }

    public static string Comparisons(IReadOnlyList<ImageComparison> comparisons)
    {
        if (comparisons.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### Size comparison").AppendLine();
        sb.AppendLine("| Reference | Size | Layers | Candidate | Size | Layers | Reduction | Saved / month |");
        sb.AppendLine("|---|--:|--:|---|--:|--:|--:|--:|");
        foreach (var c in comparisons)
            sb.AppendLine($"| {MdCode(c.ReferenceImage)} | {Bytes(c.ReferenceSize)} | {c.ReferenceLayerCount} | {MdCode(c.DifferenceImage)} | " +
                          $"{Bytes(c.DifferenceSize)} | {c.DifferenceLayerCount} | **{Num(c.ReductionPercent, "0.#")} %** ({Bytes(c.SizeReduction)}) | " +
                          $"${Num(c.MonthlySavings, "0.00")} |");
        return sb.AppendLine().ToString();
    }

    public static string Analyses(IReadOnlyList<ImageAnalysis> analyses)
    {
        if (analyses.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### Image analysis").AppendLine();
        sb.AppendLine("| Image | Score | Size | Layers | Reclaimable | Efficiency |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|");
        foreach (var a in analyses)
            sb.AppendLine($"| {MdCode(a.Image)} | **{a.Score}** | {Bytes(a.FinalSize)} | {a.LayerCount} | {Bytes(a.ReclaimableBytes)} | {Num(a.Efficiency * 100, "0.#")} % |");
        foreach (var a in analyses)
        {
            var waste = ReportData.WasteByCause(a);
            if (waste.Count > 0)
            {
                sb.AppendLine().Append("Waste in ").Append(MdCode(a.Image)).Append(" by cause: ");
                sb.AppendLine(string.Join(", ", waste.Select(w => $"{w.Cause} {Bytes(w.Bytes)} ({w.Files} files)")));
            }
            var recs = a.Recommendations.OrderByDescending(r => r.EstimatedSavingsBytes).Take(3).ToList();
            if (recs.Count > 0)
            {
                sb.AppendLine().AppendLine($"Top recommendations for {MdCode(a.Image)}:").AppendLine();
                foreach (var r in recs)
                    sb.AppendLine($"- **{Md(r.Title)}** ({Md(r.Id)}, saves {Bytes(r.EstimatedSavingsBytes)}){(string.IsNullOrEmpty(r.Fix) ? "" : ": " + Md(r.Fix, 200))}");
            }
            if (a.GateViolations.Length > 0)
                sb.AppendLine().AppendLine($"Gate: {string.Join("; ", a.GateViolations.Select(v => Md(v)))}");
        }
        return sb.AppendLine().ToString();
    }

    public static string Lint(IReadOnlyList<LintFinding> findings)
    {
        if (findings.Count == 0) return "";
        var sb = new StringBuilder();
        var counts = findings.GroupBy(f => f.Severity.ToString()).OrderByDescending(g => g.Max(f => Convert.ToInt32(f.Severity)))
            .Select(g => $"{g.Count()} {g.Key}");
        sb.AppendLine("### Dockerfile lint").AppendLine();
        sb.AppendLine($"{findings.Count} finding(s): {string.Join(", ", counts)}.").AppendLine();
        sb.AppendLine("| Severity | Rule | Location | Message |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var f in findings.OrderByDescending(f => Convert.ToInt32(f.Severity)).ThenBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).Take(MaxRows))
            sb.AppendLine($"| {f.Severity} | {Md(f.RuleId)} | {MdCode($"{f.Path}:{f.Line}")} | {Md(f.Message)} |");
        if (findings.Count > MaxRows) sb.AppendLine().AppendLine($"… and {findings.Count - MaxRows} more.");
        return sb.AppendLine().ToString();
    }

    public static string Tests(IReadOnlyList<ImageTestResult> results, IReadOnlyList<ImageTestSummary> summaries)
    {
        if (results.Count == 0 && summaries.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### Image tests").AppendLine();
        var data = new ReportData();
        foreach (var r in results) data.Add(r);
        var rows = data.TestOutcomes().ToList();
        foreach (var s in summaries.Where(s => rows.All(r => r.Image != s.Image)))
            rows.Add((s.Image, s.PassedCount, s.FailedCount, s.ErrorCount, s.SkippedCount));
        sb.AppendLine("| Image | Outcome | Passed | Failed | Errors | Skipped |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|");
        foreach (var r in rows)
            sb.AppendLine($"| {MdCode(r.Image)} | {(r.Failed + r.Error > 0 ? "❌ Failed" : "✅ Passed")} | {r.Passed} | {r.Failed} | {r.Error} | {r.Skipped} |");
        var failed = results.Where(r => r.Outcome is ImageTestOutcome.Failed or ImageTestOutcome.Error).ToList();
        if (failed.Count > 0)
        {
            sb.AppendLine().AppendLine("| Failed test | Expected | Actual | Message |").AppendLine("|---|---|---|---|");
            foreach (var r in failed.Take(MaxRows))
                sb.AppendLine($"| {r.Outcome}: {Md(r.Category)} {Md(r.Name)} | {Md(r.Expected, 60)} | {Md(r.Actual, 60)} | {Md(r.Message)} |");
            if (failed.Count > MaxRows) sb.AppendLine().AppendLine($"… and {failed.Count - MaxRows} more.");
        }
        return sb.AppendLine().ToString();
    }

    public static string Security(IReadOnlyList<SecurityReport> reports, IReadOnlyList<SecurityFinding> looseFindings, IReadOnlyList<Vulnerability> looseVulns)
    {
        if (reports.Count == 0 && looseFindings.Count == 0 && looseVulns.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### Security scan").AppendLine();
        if (reports.Count > 0)
        {
            sb.AppendLine("| Image | Outcome | Score | Critical | High | Medium | Low | Info | Unknown | Secrets |");
            sb.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var r in reports)
                sb.AppendLine($"| {MdCode(r.Image)} | {Md(r.Outcome)} | {r.Score} ({Md(r.Grade)}) | {r.Critical} | {r.High} | {r.Medium} | {r.Low} | {r.Info} | {r.UnknownSeverity} | {r.SecretCount} |");
            foreach (var r in reports.Where(r => r.GateReasons.Length > 0))
                sb.AppendLine().AppendLine($"Gate failed for {MdCode(r.Image)}: {string.Join("; ", r.GateReasons.Select(x => Md(x)))}");
        }
        var findings = reports.SelectMany(r => r.Findings).Concat(looseFindings).Where(f => !f.Suppressed)
            .Select(f => (Sev: ReportData.Normalize(f.Severity), Id: f.RuleId, What: f.Title, Where: f.Location))
            .Concat(reports.SelectMany(r => r.Vulnerabilities).Concat(looseVulns).Where(v => !v.Suppressed)
                .Select(v => (Sev: ReportData.Normalize(v.Severity.ToString()), Id: v.Id, What: $"{v.Package} {v.InstalledVersion}" + (v.IsFixable ? $" (fixed in {v.FixedVersion})" : ""), Where: v.Image)))
            .OrderByDescending(f => Rank(f.Sev)).ThenBy(f => f.Id, StringComparer.Ordinal).ToList();
        if (findings.Count > 0)
        {
            sb.AppendLine().AppendLine("| Severity | Id | Finding | Where |").AppendLine("|---|---|---|---|");
            foreach (var f in findings.Take(10))
                sb.AppendLine($"| {f.Sev} | {Md(f.Id)} | {Md(f.What)} | {MdCode(f.Where)} |");
            if (findings.Count > 10) sb.AppendLine().AppendLine($"… and {findings.Count - 10} more.");
        }
        return sb.AppendLine().ToString();
    }

    internal static int Rank(string normalizedSeverity) => normalizedSeverity switch
    {
        "Critical" => 5, "High" => 4, "Medium" => 3, "Low" => 2, "Info" => 1, _ => 0,
    };

    public static string Publishes(IReadOnlyList<PublishResult> publishes)
    {
        if (publishes.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### Published").AppendLine();
        sb.AppendLine("| Image | Digest | Status | Layers pushed | Bytes pushed | Time |");
        sb.AppendLine("|---|---|---|--:|--:|--:|");
        foreach (var p in publishes)
            sb.AppendLine($"| {MdCode(p.Reference)} | {MdCode(p.Digest, 80)} | {p.Status} | {p.LayersPushed}/{p.LayersPushed + p.LayersSkipped} | {Bytes(p.BytesPushed)} | {Seconds(p.DurationSeconds)} |");
        return sb.AppendLine().ToString();
    }

    public static string HistorySummaries(IReadOnlyList<HistorySummary> summaries)
    {
        if (summaries.Count == 0) return "";
        var sb = new StringBuilder();
        sb.AppendLine("### History").AppendLine();
        sb.AppendLine("| Image | Kind | Records | Last size | Change | Mean build time | Last build time |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|");
        foreach (var s in summaries)
        {
            var change = s.SizeChange is { } c ? (c >= 0 ? "+" : "−") + Bytes(Math.Abs(c)) + (s.SizeChangePercent is { } p ? $" ({(p >= 0 ? "+" : "−")}{Num(Math.Abs(p), "0.#")} %)" : "") : "";
            sb.AppendLine($"| {MdCode(s.Image)} | {s.Kind} | {s.Count} | {Bytes(s.LastSize)} | {change} | " +
                          $"{(s.MeanDurationSeconds is { } m ? Seconds(m) : "")} | {(s.LastDurationSeconds is { } l ? Seconds(l) : "")} |");
        }
        return sb.AppendLine().ToString();
    }

    public static string HistoryRecords(IReadOnlyList<HistoryRecord> records)
    {
        if (records.Count == 0) return "";
        return HistorySummaries(History.HistoryQuery.Summarize(records));
    }

    /// <summary>Every section of <paramref name="data"/>, in pipeline order (build, compare, measure, lint, test, scan, publish, history).</summary>
    public static string All(ReportData data, string? title = null)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(title)) sb.AppendLine($"## {Md(title, 200)}").AppendLine();
        sb.Append(Builds(data.Builds));
        sb.Append(Comparisons(data.Comparisons));
        sb.Append(Analyses(data.Analyses));
        sb.Append(Lint(data.LintFindings));
        sb.Append(Tests(data.TestResults, data.TestSummaries));
        sb.Append(Security(data.SecurityReports, data.SecurityFindings, data.Vulnerabilities));
        sb.Append(Publishes(data.Publishes));
        sb.Append(HistorySummaries(data.HistorySummaries));
        sb.Append(HistoryRecords(data.History));
        return sb.ToString();
    }
}

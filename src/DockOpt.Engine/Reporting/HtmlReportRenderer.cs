using System.Text;
using static DockOpt.Engine.Reporting.ReportText;

namespace DockOpt.Engine.Reporting;

/// <summary>
/// Renders a <see cref="ReportData"/> as one self-contained HTML page: inline CSS and SVG, no script, nothing
/// loaded from the network; light and dark schemes (prefers-color-scheme) and a print stylesheet. Every chart is a
/// &lt;figure data-chart="…"&gt; whose marks carry their numbers as data-* attributes, with a table of the same
/// numbers beside it.
/// </summary>
public static class HtmlReportRenderer
{
    static Dictionary<string, string> D(params (string Key, string Value)[] items) => items.ToDictionary(i => i.Key, i => i.Value);

    public static string Render(ReportData data, string title, DateTime generatedAt)
    {
        var body = new StringBuilder();
        var toc = new List<(string Id, string Title)>();
        void Section(string id, string heading, string subtitle, string content)
        {
            toc.Add((id, heading));
            body.Append($"<section class=\"card\" id=\"{id}\"><header><h2>{Html(heading)}</h2>");
            if (!string.IsNullOrEmpty(subtitle)) body.Append($"<p class=\"sub\">{subtitle}</p>");
            body.Append("</header>").Append(content).Append("</section>\n");
        }

        if (data.Builds.Count > 0) Section("builds", "Builds", $"{data.Builds.Count} build(s): time per Dockerfile step; cached steps are muted.", Builds(data.Builds));
        if (data.Comparisons.Count > 0) Section("comparison", "Single- vs multi-stage", "Image size and build time of the reference and the candidate.", Comparisons(data.Comparisons));
        var layerImages = LayerSources(data);
        if (layerImages.Count > 0) Section("layers", "Layer sizes", "Bytes each layer adds, per image, in build order.", Layers(layerImages));
        if (data.Analyses.Count > 0) Section("waste", "Score and waste", "Reclaimable bytes by cause, and the recommendations that save the most.", Analyses(data.Analyses));
        if (data.LintFindings.Count > 0) Section("lint", "Dockerfile lint", $"{data.LintFindings.Count} finding(s).", Lint(data.LintFindings));
        if (data.TestResults.Count > 0 || data.TestSummaries.Count > 0) Section("tests", "Image tests", "Outcomes per image; failures listed first.", Tests(data));
        if (data.SecurityReports.Count > 0 || data.SecurityFindings.Count > 0 || data.Vulnerabilities.Count > 0)
            Section("security", "Security scan", "Findings by severity (suppressed findings are not counted).", Security(data));
        if (data.Publishes.Count > 0) Section("publish", "Published", "Tags and digests pushed.", Publishes(data.Publishes));
        if (data.History.Count > 0) Section("trends", "Trends", $"{data.History.Count} history record(s).", Trends(data.History));
        if (data.HistorySummaries.Count > 0) Section("history", "History summary", "", HistorySummaryTable(data.HistorySummaries));

        var sb = new StringBuilder(64 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append("<meta name=\"color-scheme\" content=\"light dark\">");
        sb.Append("<meta name=\"generator\" content=\"DockOpt Export-DockOptReport\">");
        sb.Append($"<title>{Html(title)}</title><style>{Css}</style></head>\n<body>");
        sb.Append("<header class=\"hero\"><div class=\"wrap\"><div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\">");
        sb.Append("<svg viewBox=\"0 0 24 24\" width=\"22\" height=\"22\"><rect x=\"2\" y=\"12\" width=\"6\" height=\"6\" rx=\"1\"/><rect x=\"9\" y=\"12\" width=\"6\" height=\"6\" rx=\"1\"/><rect x=\"16\" y=\"12\" width=\"6\" height=\"6\" rx=\"1\"/><rect x=\"9\" y=\"5\" width=\"6\" height=\"6\" rx=\"1\"/></svg>");
        sb.Append("</span>DockOpt report</div>");
        sb.Append($"<h1>{Html(title)}</h1><p class=\"meta\">Generated {generatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", Inv)} UTC</p>");
        sb.Append(Kpis(data)).Append("</div></header>\n");
        if (toc.Count > 1)
            sb.Append("<nav class=\"toc\"><div class=\"wrap\">").Append(string.Join("", toc.Select(t => $"<a href=\"#{t.Id}\">{Html(t.Title)}</a>"))).Append("</div></nav>\n");
        sb.Append("<main class=\"wrap\">");
        if (toc.Count == 0) sb.Append("<p class=\"empty\">No DockOpt results were given.</p>");
        sb.Append(body);
        sb.Append("</main><footer class=\"wrap\">Made by DockOpt · self-contained: no scripts, fonts or images are loaded from the network.</footer></body></html>\n");
        return sb.ToString();
    }

    static string Kpis(ReportData d)
    {
        var k = new List<string>();
        void Kpi(string name, string value, string note, string cls = "") =>
            k.Add($"<div class=\"kpi {cls}\" data-kpi=\"{Html(name)}\"><div class=\"kpi-value\">{Html(value)}</div><div class=\"kpi-name\">{Html(name)}</div>" +
                  (note.Length > 0 ? $"<div class=\"kpi-note\">{Html(note)}</div>" : "") + "</div>");
        if (d.Builds.Count > 0)
            Kpi("Builds", d.Builds.Count.ToString(Inv), $"{Seconds(d.Builds.Sum(b => b.DurationSeconds))} total, {d.Builds.Sum(b => b.CacheHits)} cache hits");
        if (d.Comparisons.Count > 0)
        {
            var best = d.Comparisons.OrderByDescending(c => c.ReductionPercent).First();
            Kpi("Size reduction", Num(best.ReductionPercent, "0.#") + " %", $"{Bytes(best.ReferenceSize)} → {Bytes(best.DifferenceSize)}", best.ReductionPercent > 0 ? "good" : "bad");
        }
        if (d.Analyses.Count > 0)
        {
            var worst = d.Analyses.OrderBy(a => a.Score).First();
            Kpi("Score", worst.Score.ToString(Inv), d.Analyses.Count > 1 ? $"lowest of {d.Analyses.Count} images" : $"{Bytes(worst.ReclaimableBytes)} reclaimable",
                worst.Score >= 80 ? "good" : worst.Score >= 50 ? "warn" : "bad");
        }
        if (d.LintFindings.Count > 0)
            Kpi("Lint findings", d.LintFindings.Count.ToString(Inv), $"{d.LintFindings.Select(f => f.Path).Distinct().Count()} Dockerfile(s)", "warn");
        if (d.TestResults.Count > 0)
        {
            var passed = d.TestResults.Count(t => t.Outcome == ImageTestOutcome.Passed);
            var bad = d.TestResults.Count(t => t.Outcome is ImageTestOutcome.Failed or ImageTestOutcome.Error);
            Kpi("Tests passed", $"{passed}/{d.TestResults.Count}", bad > 0 ? $"{bad} failed" : "all passed", bad > 0 ? "bad" : "good");
        }
        if (d.SecurityReports.Count > 0)
        {
            var crit = d.SecurityReports.Sum(r => r.Critical);
            var high = d.SecurityReports.Sum(r => r.High);
            // A scan without vulnerability data (-Scanner Secret,Config, or offline) must not read as "0 / 0, good".
            var noData = d.SecurityReports.Count(r => r.VulnerabilitySources.Length == 0);
            var note = string.Join(", ", d.SecurityReports.Select(r => r.Outcome).Distinct())
                + (noData > 0 ? $"; {noData} scan(s) without vulnerability data" : "");
            Kpi("Critical / High", $"{crit} / {high}", note, crit + high > 0 ? "bad" : noData > 0 ? "" : "good");
        }
        if (d.Publishes.Count > 0)
            Kpi("Published tags", d.Publishes.Count.ToString(Inv), $"{Bytes(d.Publishes.Sum(p => p.BytesPushed))} pushed");
        return k.Count == 0 ? "" : "<div class=\"kpis\">" + string.Join("", k) + "</div>";
    }

    static string Pair(string figure, string table) => $"<div class=\"pair\">{figure}<div class=\"table-wrap\">{table}</div></div>";

    static string Figure(string chart, IReadOnlyDictionary<string, string> data, string caption, string svg)
    {
        var attrs = string.Concat(data.Select(kv => $" data-{kv.Key}=\"{Html(kv.Value)}\""));
        return $"<figure class=\"chart\" data-chart=\"{chart}\"{attrs}>{svg}<figcaption>{caption}</figcaption></figure>";
    }

    static string Table(string[] head, IEnumerable<string[]> rows, string? cls = null)
    {
        var sb = new StringBuilder($"<table class=\"data{(cls == null ? "" : " " + cls)}\"><thead><tr>");
        foreach (var h in head) sb.Append(h.StartsWith('#') ? $"<th class=\"n\">{Html(h[1..])}</th>" : $"<th>{Html(h)}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            for (var i = 0; i < r.Length; i++)
                sb.Append(i < head.Length && head[i].StartsWith('#') ? $"<td class=\"n\">{r[i]}</td>" : $"<td>{r[i]}</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>A layer's command as a short readable instruction.</summary>
    public static string ShortCommand(string createdBy)
    {
        var s = (createdBy ?? "").Trim();
        foreach (var p in new[] { "/bin/sh -c #(nop) ", "|1 /bin/sh -c ", "/bin/sh -c " })
        {
            var i = s.IndexOf(p, StringComparison.Ordinal);
            if (i >= 0) { s = (p.Contains("#(nop)") ? "" : "RUN ") + s.Substring(i + p.Length).Trim(); break; }
        }
        if (s.StartsWith("RUN |", StringComparison.Ordinal)) s = "RUN " + s.Substring(5);
        if (s.EndsWith(" # buildkit", StringComparison.Ordinal)) s = s.Substring(0, s.Length - 11);
        return s.Length == 0 ? "(no command: imported layer)" : s;
    }

    // ---- sections ----

    static string Builds(IReadOnlyList<BuildResult> builds)
    {
        var sb = new StringBuilder();
        foreach (var b in builds)
        {
            var steps = b.Steps.Where(s => s.Duration > TimeSpan.Zero || !s.Cached).ToList();
            if (steps.Count == 0) steps = b.Steps.ToList();
            var bars = steps.Select(s => new Bar($"{s.Number}. {s.Instruction}", s.DurationSeconds, s.Cached ? "cached" : Seconds(s.DurationSeconds),
                s.Cached ? "muted" : "s1", D(("step", Data(s.Number)), ("seconds", Data(s.DurationSeconds)), ("cached", s.Cached ? "true" : "false")), s.Instruction)).ToList();
            var fig = Figure("build-steps", D(("image", b.Name), ("seconds", Data(b.DurationSeconds)), ("cache-hits", Data(b.CacheHits)), ("steps", Data(b.StepCount))),
                $"<strong>{Html(b.Name)}</strong> · {Seconds(b.DurationSeconds)} · {b.CacheHits}/{b.StepCount} steps cached",
                bars.Count > 0 ? Svg.HorizontalBars(bars, $"Step times of {b.Name}") : "<p class=\"empty\">No step timings.</p>");
            var table = Table(new[] { "Build", "#Value" }, new[]
            {
                new[] { "Image", $"<code>{Html(b.Name)}</code>" },
                new[] { "Image ID", $"<code>{Html(Short(b.ImageId))}</code>" },
                new[] { "Dockerfile", $"<code>{Html(b.Dockerfile)}</code>" + (b.Target != null ? $" (target <code>{Html(b.Target)}</code>)" : "") },
                new[] { "Size", Bytes(b.Size) },
                new[] { "Layers", b.LayerCount.ToString(Inv) },
                new[] { "Build time", Seconds(b.DurationSeconds) },
                new[] { "Cache hits / misses", $"{b.CacheHits} / {b.CacheMisses}" },
                new[] { "Context", $"{Bytes(b.ContextBytes)} in {b.ContextEntryCount} entries" },
            }.Concat(b.GitCommit != null ? new[] { new[] { "Git", $"<code>{Html(b.GitCommit.Length > 12 ? b.GitCommit[..12] : b.GitCommit)}</code> {Html(b.GitBranch)}" } } : Array.Empty<string[]>()));
            sb.Append(Pair(fig, table));
        }
        return sb.ToString();
    }

    static string Comparisons(IReadOnlyList<ImageComparison> comparisons)
    {
        var sb = new StringBuilder();
        foreach (var c in comparisons)
        {
            var bars = new List<Bar>
            {
                new(c.ReferenceImage, c.ReferenceSize, Bytes(c.ReferenceSize), "ref", D(("role", "reference"), ("size", Data(c.ReferenceSize)))),
                new(c.DifferenceImage, c.DifferenceSize, Bytes(c.DifferenceSize), "diff", D(("role", "difference"), ("size", Data(c.DifferenceSize)))),
            };
            var svg = Svg.HorizontalBars(bars, $"Size of {c.ReferenceImage} and {c.DifferenceImage}");
            if (c.ReferenceBuildSeconds is { } rs && c.DifferenceBuildSeconds is { } ds)
                svg += "<h3 class=\"mini\">Build time</h3>" + Svg.HorizontalBars(new List<Bar>
                {
                    new(c.ReferenceImage, rs, Seconds(rs), "ref", D(("role", "reference"), ("seconds", Data(rs)))),
                    new(c.DifferenceImage, ds, Seconds(ds), "diff", D(("role", "difference"), ("seconds", Data(ds)))),
                }, "Build times");
            var good = c.ReductionPercent > 0;
            var caption = $"<span class=\"badge {(good ? "good" : "bad")}\">{(good ? "−" : "+")}{Num(Math.Abs(c.ReductionPercent), "0.#")} %</span> " +
                          $"{Bytes(Math.Abs(c.SizeReduction))} {(good ? "smaller" : "larger")}; {c.SharedLayerCount} layer(s) ({Bytes(c.SharedSize)}) shared";
            var fig = Figure("comparison", D(("reference", c.ReferenceImage), ("difference", c.DifferenceImage), ("reference-size", Data(c.ReferenceSize)),
                ("difference-size", Data(c.DifferenceSize)), ("reduction-percent", Data(c.ReductionPercent))), caption, svg);
            var rows = new List<string[]>
            {
                new[] { "Image", $"<code class=\"any\">{Html(c.ReferenceImage)}</code>", $"<code class=\"any\">{Html(c.DifferenceImage)}</code>" }, // long names wrap: the table fits its card
                new[] { "Size", Bytes(c.ReferenceSize), Bytes(c.DifferenceSize) },
                new[] { "Layers", c.ReferenceLayerCount.ToString(Inv), c.DifferenceLayerCount.ToString(Inv) },
            };
            if (c.ReferenceBuildSeconds != null || c.DifferenceBuildSeconds != null)
                rows.Add(new[] { "Build time", c.ReferenceBuildSeconds is { } a ? Seconds(a) : "", c.DifferenceBuildSeconds is { } b ? Seconds(b) : "" });
            rows.Add(new[] { "Cost / month", "$" + Num(c.ReferenceMonthlyCost, "0.00"), "$" + Num(c.DifferenceMonthlyCost, "0.00") });
            rows.Add(new[] { "Reduction", "", $"<strong>{Num(c.ReductionPercent, "0.#")} %</strong> ({Bytes(c.SizeReduction)}), saves ${Num(c.YearlySavings, "0.00")} a year" });
            sb.Append(Pair(fig, Table(new[] { "", "Reference", "Candidate" }, rows)));
        }
        return sb.ToString();
    }

    sealed record LayerImage(string Image, long Total, IReadOnlyList<(int Index, string Command, long Size, bool Base)> Layers);

    static List<LayerImage> LayerSources(ReportData d)
    {
        var list = d.Analyses.Select(a => new LayerImage(a.Image, a.FinalSize,
            a.Layers.Where(l => !l.IsEmpty).Select(l => (l.Index, l.CreatedBy, l.Size, l.IsBaseLayer)).ToList())).ToList();
        foreach (var c in d.Comparisons.Where(c => c.Layers != null))
        {
            foreach (var side in new[] { (Image: c.ReferenceImage, Total: c.ReferenceSize, Ref: true), (Image: c.DifferenceImage, Total: c.DifferenceSize, Ref: false) })
            {
                if (list.Any(l => l.Image == side.Image)) continue;
                var layers = c.Layers!.Where(l => side.Ref ? l.ReferenceIndex != null : l.DifferenceIndex != null)
                    .OrderBy(l => side.Ref ? l.ReferenceIndex : l.DifferenceIndex)
                    .Select(l => ((side.Ref ? l.ReferenceIndex : l.DifferenceIndex) ?? 0, l.CreatedBy, l.Size, l.Presence == LayerPresence.Shared)).ToList();
                if (layers.Count > 0) list.Add(new LayerImage(side.Image, side.Total, layers));
            }
        }
        return list;
    }

    static string Layers(IReadOnlyList<LayerImage> images)
    {
        var sb = new StringBuilder();
        foreach (var img in images)
        {
            var bars = img.Layers.Select(l => new Bar($"{l.Index}. {ShortCommand(l.Command)}", l.Size, Bytes(l.Size), l.Base ? "muted" : "lay",
                D(("layer", Data(l.Index)), ("size", Data(l.Size))), ShortCommand(l.Command))).ToList();
            var fig = Figure("layers", D(("image", img.Image), ("size", Data(img.Total)), ("layer-count", Data(img.Layers.Count))),
                $"<strong>{Html(img.Image)}</strong> · {Bytes(img.Total)} in {img.Layers.Count} layer(s) with content · base-image layers muted",
                Svg.HorizontalBars(bars, $"Layer sizes of {img.Image}", 40));
            var table = Table(new[] { "#", "Layer", "#Size" }, img.Layers.Select(l => new[]
                { l.Index.ToString(Inv), $"<code title=\"{Html(l.Command)}\">{Html(Trunc(ShortCommand(l.Command), 70))}</code>{(l.Base ? " <span class=\"tag\">base</span>" : "")}", Bytes(l.Size) }));
            sb.Append(Pair(fig, table));
        }
        return sb.ToString();
    }

    static string Trunc(string s, int max) => s.Length <= max ? s : s.Substring(0, max - 1) + "…";

    static string Analyses(IReadOnlyList<ImageAnalysis> analyses)
    {
        var sb = new StringBuilder();
        foreach (var a in analyses)
        {
            var waste = ReportData.WasteByCause(a);
            sb.Append($"<div class=\"score-row\">{Svg.Gauge(a.Score, $"Score of {a.Image}")}<div><h3>{Html(a.Image)}</h3><p class=\"sub\">Score <strong>{a.Score}</strong>/100 · " +
                      $"{Bytes(a.FinalSize)} · {Bytes(a.ReclaimableBytes)} reclaimable · efficiency {Num(a.Efficiency * 100, "0.#")} %</p></div></div>");
            var bars = waste.Select(w => new Bar(w.Cause, w.Bytes, Bytes(w.Bytes), "s3", D(("cause", w.Cause), ("bytes", Data(w.Bytes)), ("files", Data(w.Files))))).ToList();
            var fig = Figure("waste", D(("image", a.Image), ("reclaimable", Data(a.ReclaimableBytes)), ("score", Data(a.Score))),
                $"Waste in <strong>{Html(a.Image)}</strong> by cause",
                bars.Count > 0 ? Svg.HorizontalBars(bars, $"Waste by cause in {a.Image}") : "<p class=\"empty ok\">No wasted bytes found.</p>");
            var table = Table(new[] { "Cause", "#Files", "#Bytes" }, waste.Select(w => new[] { Html(w.Cause), w.Files.ToString(Inv), Bytes(w.Bytes) }));
            sb.Append(Pair(fig, table));
            var recs = a.Recommendations.OrderByDescending(r => r.EstimatedSavingsBytes).Take(5).ToList();
            if (recs.Count > 0)
                sb.Append("<h3 class=\"mini\">Recommendations</h3>").Append(Table(new[] { "Recommendation", "#Saves", "Fix" }, recs.Select(r => new[]
                    { $"<strong>{Html(r.Title)}</strong> <span class=\"tag\">{Html(r.Id)}</span>", Bytes(r.EstimatedSavingsBytes), Html(Trunc(r.Fix, 240)) })));
            if (a.GateViolations.Length > 0)
                sb.Append("<p class=\"gate bad\">Gate: ").Append(Html(string.Join("; ", a.GateViolations))).Append("</p>");
        }
        return sb.ToString();
    }

    static string SevClass(string normalized) => "sev-" + normalized.ToLowerInvariant();

    static string Lint(IReadOnlyList<LintFinding> findings)
    {
        var order = new[] { "Error", "Critical", "High", "Warning", "Medium", "Low", "Info", "Style", "Unknown" };
        var groups = findings.GroupBy(f => f.Severity.ToString()).OrderByDescending(g => g.Max(f => Convert.ToInt32(f.Severity))).ToList();
        var bars = groups.Select(g => new Bar(g.Key, g.Count(), g.Count().ToString(Inv), SevClass(ReportData.Normalize(g.Key)),
            D(("severity", g.Key), ("count", Data(g.Count()))))).ToList();
        var fig = Figure("lint", D(("count", Data(findings.Count))), $"{findings.Count} finding(s) by severity", Svg.HorizontalBars(bars, "Lint findings by severity"));
        var countTable = Table(new[] { "Severity", "#Findings" }, groups.Select(g => new[] { $"<span class=\"pill {SevClass(ReportData.Normalize(g.Key))}\">{Html(g.Key)}</span>", g.Count().ToString(Inv) }));
        var sb = new StringBuilder(Pair(fig, countTable));
        sb.Append(Table(new[] { "Severity", "Rule", "Location", "Message" }, findings.OrderByDescending(f => Convert.ToInt32(f.Severity)).ThenBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line)
            .Take(200).Select(f => new[]
            {
                $"<span class=\"pill {SevClass(ReportData.Normalize(f.Severity.ToString()))}\">{Html(f.Severity.ToString())}</span>",
                string.IsNullOrEmpty(f.HelpUri) ? $"<code>{Html(f.RuleId)}</code>" : $"<a href=\"{Html(f.HelpUri)}\"><code>{Html(f.RuleId)}</code></a>",
                $"<code>{Html(f.Path)}:{f.Line}</code>",
                Html(f.Message),
            }), "findings"));
        return sb.ToString();
    }

    static string Tests(ReportData d)
    {
        var sb = new StringBuilder();
        var rows = d.TestOutcomes().ToList();
        foreach (var s in d.TestSummaries.Where(s => rows.All(r => r.Image != s.Image)))
            rows.Add((s.Image, s.PassedCount, s.FailedCount, s.ErrorCount, s.SkippedCount));
        foreach (var r in rows)
        {
            var segs = new List<(string, int, string)> { ("Passed", r.Passed, "pass"), ("Failed", r.Failed, "fail"), ("Error", r.Error, "error"), ("Skipped", r.Skipped, "skip") };
            var total = r.Passed + r.Failed + r.Error + r.Skipped;
            var fig = Figure("tests", D(("image", r.Image), ("total", Data(total)), ("passed", Data(r.Passed)), ("failed", Data(r.Failed)), ("error", Data(r.Error)), ("skipped", Data(r.Skipped))),
                $"<strong>{Html(r.Image)}</strong> · {r.Passed}/{total} passed", Svg.StackedBar(segs, $"Test outcomes of {r.Image}"));
            var table = Table(new[] { "Outcome", "#Tests" }, segs.Select(s => new[] { $"<span class=\"pill {s.Item3}\">{s.Item1}</span>", s.Item2.ToString(Inv) }));
            sb.Append(Pair(fig, table));
        }
        var list = d.TestResults.OrderBy(t => t.Outcome switch { ImageTestOutcome.Failed => 0, ImageTestOutcome.Error => 1, ImageTestOutcome.Skipped => 3, _ => 2 }).Take(300).ToList();
        if (list.Count > 0)
            sb.Append(Table(new[] { "Outcome", "Image", "Test", "Expected", "Actual", "#Time" }, list.Select(t => new[]
            {
                $"<span class=\"pill {t.Outcome switch { ImageTestOutcome.Passed => "pass", ImageTestOutcome.Failed => "fail", ImageTestOutcome.Error => "error", _ => "skip" }}\">{t.Outcome}</span>",
                $"<code>{Html(t.Image)}</code>", $"<span class=\"tag\">{Html(t.Category)}</span> {Html(t.Name)}" + (t.Outcome is ImageTestOutcome.Failed or ImageTestOutcome.Error && t.Message.Length > 0 ? $"<div class=\"msg\">{Html(Trunc(t.Message, 300))}</div>" : ""),
                Html(Trunc(t.Expected, 80)), Html(Trunc(t.Actual, 80)), Seconds(t.DurationSeconds),
            }), "findings"));
        return sb.ToString();
    }

    static string Security(ReportData d)
    {
        var sb = new StringBuilder();
        var sets = d.SecurityReports.Select(r => (Image: r.Image, Counts: ReportData.SeverityCounts(r), Report: (SecurityReport?)r)).ToList();
        if (d.SecurityFindings.Count > 0 || d.Vulnerabilities.Count > 0)
            sets.Add(("Findings", d.LooseSeverityCounts(), null));
        foreach (var (image, counts, report) in sets)
        {
            var bars = counts.Select(c => new Bar(c.Severity, c.Count, c.Count.ToString(Inv), SevClass(c.Severity), D(("severity", c.Severity), ("count", Data(c.Count))))).ToList();
            var caption = report == null ? $"{counts.Sum(c => c.Count)} finding(s)" :
                $"<strong>{Html(image)}</strong> · <span class=\"badge {(report.GateReasons.Length > 0 || report.Outcome.Contains("Fail", StringComparison.OrdinalIgnoreCase) ? "bad" : "good")}\">{Html(report.Outcome)}</span> score {report.Score} ({Html(report.Grade)}) · {report.PackageCount} packages · {report.SecretCount} secret(s)";
            var fig = Figure("severity", D(("image", image), ("total", Data(counts.Sum(c => c.Count)))), caption, Svg.HorizontalBars(bars, $"Findings by severity in {image}"));
            var table = Table(new[] { "Severity", "#Findings" }, counts.Select(c => new[] { $"<span class=\"pill {SevClass(c.Severity)}\">{c.Severity}</span>", c.Count.ToString(Inv) }));
            sb.Append(Pair(fig, table));
            if (report is { GateReasons.Length: > 0 })
                sb.Append("<p class=\"gate bad\">Gate: ").Append(Html(string.Join("; ", report.GateReasons))).Append("</p>");
        }
        var top = d.SecurityReports.SelectMany(r => r.Findings).Concat(d.SecurityFindings).Where(f => !f.Suppressed)
            .Select(f => (Sev: ReportData.Normalize(f.Severity), Id: f.RuleId, What: f.Title, Where: f.Location, Image: f.Image))
            .Concat(d.SecurityReports.SelectMany(r => r.Vulnerabilities).Concat(d.Vulnerabilities).Where(v => !v.Suppressed)
                .Select(v => (Sev: ReportData.Normalize(v.Severity.ToString()), Id: v.Id, What: $"{v.Package} {v.InstalledVersion}" + (v.IsFixable ? $" → {v.FixedVersion}" : ""), Where: v.Purl, Image: v.Image)))
            .OrderByDescending(f => MarkdownRenderers.Rank(f.Sev)).ThenBy(f => f.Id, StringComparer.Ordinal).Take(100).ToList();
        if (top.Count > 0)
            sb.Append("<h3 class=\"mini\">Top findings</h3>").Append(Table(new[] { "Severity", "Id", "Finding", "Where" }, top.Select(f => new[]
                { $"<span class=\"pill {SevClass(f.Sev)}\">{f.Sev}</span>", $"<code>{Html(f.Id)}</code>", Html(Trunc(f.What, 200)), $"<code>{Html(Trunc(f.Where, 100))}</code>" }), "findings"));
        return sb.ToString();
    }

    static string Publishes(IReadOnlyList<PublishResult> publishes) =>
        Table(new[] { "Image", "Digest", "Status", "#Layers pushed", "#Bytes pushed", "#Time" }, publishes.Select(p => new[]
        {
            $"<code>{Html(p.Reference)}</code>", $"<code class=\"digest\" title=\"{Html(p.Digest)}\" data-digest=\"{Html(p.Digest)}\">{Html(Trunc(p.Digest, 23))}</code>", $"<span class=\"pill {(p.Status == PublishStatus.Pushed ? "pass" : "skip")}\">{p.Status}</span>",
            $"{p.LayersPushed}/{p.LayersPushed + p.LayersSkipped}", Bytes(p.BytesPushed), Seconds(p.DurationSeconds),
        }));

    static string Trends(IReadOnlyList<HistoryRecord> records)
    {
        // One series per image: its build records, or its comparison records when it was never built with history.
        var built = new HashSet<string>(records.Where(r => r.Kind == HistoryKind.Build).Select(r => r.Image), StringComparer.Ordinal);
        records = records.Where(r => r.Kind == HistoryKind.Build || !built.Contains(r.Image)).ToList();
        var byImage = records.GroupBy(r => r.Image, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var sizes = byImage.Select(g => (g.Key, (IReadOnlyList<TrendPoint>)g.OrderBy(r => r.Timestamp).Select(r =>
            new TrendPoint(r.Timestamp, r.Size, Bytes(r.Size), D(("image", r.Image), ("timestamp", r.Timestamp.ToString("o", Inv)), ("size", Data(r.Size)), ("kind", r.Kind)))).ToList())).ToList();
        var times = byImage.Select(g => (g.Key, (IReadOnlyList<TrendPoint>)g.Where(r => r.DurationSeconds != null).OrderBy(r => r.Timestamp).Select(r =>
            new TrendPoint(r.Timestamp, r.DurationSeconds!.Value, Seconds(r.DurationSeconds.Value), D(("image", r.Image), ("timestamp", r.Timestamp.ToString("o", Inv)), ("seconds", Data(r.DurationSeconds.Value)))))
            .ToList())).Where(s => s.Item2.Count > 0).ToList();
        var sb = new StringBuilder();
        var sizeFig = Figure("size-trend", D(("points", Data(records.Count))), "Image size over time", Svg.Trend(sizes, v => Bytes((long)v), "Image size over time"));
        var summaries = History.HistoryQuery.Summarize(records);
        var table = Table(new[] { "Image", "#Records", "#Last size", "#Change" }, summaries.Select(s => new[]
        {
            $"<code class=\"any\">{Html(s.Image)}</code>", s.Count.ToString(Inv), Bytes(s.LastSize),
            s.SizeChange is { } c ? $"<span class=\"{(c <= 0 ? "good" : "bad")}-text\">{(c > 0 ? "+" : c < 0 ? "−" : "")}{Bytes(Math.Abs(c))}</span>" : "",
        }));
        sb.Append(Pair(sizeFig, table));
        if (times.Count > 0)
        {
            var timeFig = Figure("time-trend", D(("points", Data(times.Sum(t => t.Item2.Count)))), "Build time over time", Svg.Trend(times, v => Seconds(v), "Build time over time"));
            var t2 = Table(new[] { "Image", "#Mean", "#Last", "#Change" }, summaries.Where(s => s.DurationCount > 0).Select(s => new[]
            {
                $"<code class=\"any\">{Html(s.Image)}</code>", s.MeanDurationSeconds is { } m ? Seconds(m) : "", s.LastDurationSeconds is { } l ? Seconds(l) : "",
                s.DurationChangeSeconds is { } dc ? $"<span class=\"{(dc <= 0 ? "good" : "bad")}-text\">{(dc > 0 ? "+" : dc < 0 ? "−" : "")}{Seconds(Math.Abs(dc))}</span>" : "",
            }));
            sb.Append(Pair(timeFig, t2));
        }
        return sb.ToString();
    }

    static string HistorySummaryTable(IReadOnlyList<HistorySummary> summaries) =>
        Table(new[] { "Image", "Kind", "#Records", "#Min", "#Max", "#Last", "#Change", "#Mean build time" }, summaries.Select(s => new[]
        {
            $"<code class=\"any\">{Html(s.Image)}</code>", Html(s.Kind), s.Count.ToString(Inv), Bytes(s.MinSize), Bytes(s.MaxSize), Bytes(s.LastSize),
            s.SizeChange is { } c ? $"{(c > 0 ? "+" : c < 0 ? "−" : "")}{Bytes(Math.Abs(c))}" : "", s.MeanDurationSeconds is { } m ? Seconds(m) : "",
        }));

    const string Css = """
:root{--bg:#f6f7fb;--card:#fff;--fg:#111827;--muted:#6b7280;--border:#e5e7eb;--track:#eef0f5;--accent:#2563eb;--hero1:#1e3a8a;--hero2:#2563eb;
--s1:#2563eb;--s2:#db2777;--s3:#f59e0b;--s4:#8b5cf6;--lay:#0ea5e9;--s5:#10b981;--s6:#ec4899;--ref:#94a3b8;--diff:#10b981;--mute:#cbd5e1;
--good:#059669;--warn:#d97706;--bad:#dc2626;--crit:#991b1b;--high:#dc2626;--med:#f59e0b;--low:#3b82f6;--info:#64748b;--unk:#a1a1aa;--skip:#a1a1aa;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0b1020;--card:#121829;--fg:#e5e7eb;--muted:#9ca3af;--border:#243049;--track:#1b2338;--accent:#60a5fa;--hero1:#0f1a3d;--hero2:#1d3a8a;
--s1:#60a5fa;--s2:#f472b6;--s3:#fbbf24;--s4:#a78bfa;--lay:#38bdf8;--s5:#34d399;--s6:#f472b6;--ref:#64748b;--diff:#34d399;--mute:#334155;--good:#34d399;--warn:#fbbf24;--bad:#f87171;
--crit:#f87171;--high:#fb923c;--med:#fbbf24;--low:#60a5fa;--info:#94a3b8;--unk:#71717a;--skip:#71717a}}
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif}
.wrap{max-width:1180px;margin:0 auto;padding:0 24px}
.hero{background:linear-gradient(135deg,var(--hero1),var(--hero2));color:#fff;padding:28px 0 30px}
.brand{display:flex;align-items:center;gap:8px;font-weight:600;letter-spacing:.02em;opacity:.9;text-transform:uppercase;font-size:12px}
.logo svg{fill:#fff;display:block}
.hero h1{margin:6px 0 2px;font-size:28px;line-height:1.2;font-weight:700}.meta{margin:0;opacity:.8}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-top:20px}
.kpi{background:rgba(255,255,255,.12);border:1px solid rgba(255,255,255,.18);border-radius:12px;padding:12px 14px}
.kpi-value{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}.kpi-name{font-size:12px;text-transform:uppercase;letter-spacing:.05em;opacity:.85}
.kpi-note{font-size:12px;opacity:.75;margin-top:2px}
.kpi.good .kpi-value{color:#a7f3d0}.kpi.bad .kpi-value{color:#fecaca}.kpi.warn .kpi-value{color:#fde68a}
.toc{position:sticky;top:0;z-index:2;background:var(--card);border-bottom:1px solid var(--border)}
.toc .wrap{display:flex;gap:4px;overflow-x:auto;padding-top:6px;padding-bottom:6px}
.toc a{color:var(--muted);text-decoration:none;padding:6px 10px;border-radius:8px;white-space:nowrap;font-weight:500}.toc a:hover{background:var(--track);color:var(--fg)}
main.wrap{padding-top:20px;padding-bottom:8px}
.card{background:var(--card);border:1px solid var(--border);border-radius:14px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.card>header h2{margin:0;font-size:18px}.sub{margin:2px 0 0;color:var(--muted)}.card>header{margin-bottom:10px}
h3{margin:0;font-size:15px}h3.mini{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:16px 0 6px}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:24px;align-items:start;padding:12px 0;border-top:1px solid var(--border)}
.card>header+.pair{border-top:0}
@media (max-width:900px){.pair{grid-template-columns:1fr}}
figure.chart{margin:0}figcaption{color:var(--muted);font-size:13px;margin-top:4px}figcaption strong{color:var(--fg)}
.chart-svg{display:block;max-width:100%;height:auto;overflow:visible}
.chart-svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;fill:var(--fg)}
.chart-svg .label{fill:var(--fg)}.chart-svg .value,.chart-svg .axis{fill:var(--muted);font-variant-numeric:tabular-nums}
.chart-svg .track{fill:var(--track)}.chart-svg .grid{stroke:var(--border);stroke-width:1}.chart-svg .in-bar{fill:#fff;font-weight:600}
.bar.s1,.s1 .dot{fill:var(--s1)}.bar.s2,.s2 .dot{fill:var(--s2)}.bar.s3,.s3 .dot{fill:var(--s3)}.bar.s4,.s4 .dot{fill:var(--s4)}.s5 .dot{fill:var(--s5)}.s6 .dot{fill:var(--s6)}
.s1 .line{stroke:var(--s1)}.s2 .line{stroke:var(--s2)}.s3 .line{stroke:var(--s3)}.s4 .line{stroke:var(--s4)}.s5 .line{stroke:var(--s5)}.s6 .line{stroke:var(--s6)}
.line{fill:none;stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}.dot{stroke:var(--card);stroke-width:2}
.bar.lay{fill:var(--lay)}.bar.ref{fill:var(--ref)}.bar.diff{fill:var(--diff)}.bar.muted{fill:var(--mute)}
.bar.sev-critical{fill:var(--crit)}.bar.sev-high{fill:var(--high)}.bar.sev-medium{fill:var(--med)}.bar.sev-low{fill:var(--low)}.bar.sev-info{fill:var(--info)}.bar.sev-unknown{fill:var(--unk)}
.bar.pass{fill:var(--good)}.bar.fail{fill:var(--bad)}.bar.error{fill:var(--warn)}.bar.skip{fill:var(--skip)}
.table-wrap{overflow-x:auto}
table.data{width:100%;border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
table.data th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;border-bottom:1px solid var(--border);padding:6px 8px}
table.data td{border-bottom:1px solid var(--border);padding:6px 8px;vertical-align:top}table.data code.any{white-space:normal;overflow-wrap:anywhere}table.data tr:last-child td{border-bottom:0}
table.data .n{text-align:right;white-space:nowrap}table.data .n code{white-space:normal;overflow-wrap:anywhere}table.data td:first-child{white-space:nowrap}table.findings{margin-top:10px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;background:var(--track);padding:1px 5px;border-radius:5px;overflow-wrap:break-word}
a{color:var(--accent)}
.pill,.badge,.tag{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff;background:var(--info);white-space:nowrap}
.tag{background:var(--track);color:var(--muted);font-weight:500}
.pill.sev-critical{background:var(--crit)}.pill.sev-high{background:var(--high)}.pill.sev-medium{background:var(--med);color:#1f1300}.pill.sev-low{background:var(--low)}
.pill.sev-info{background:var(--info)}.pill.sev-unknown{background:var(--unk)}.pill.pass,.badge.good{background:var(--good)}.pill.fail,.badge.bad{background:var(--bad)}
.pill.error{background:var(--warn);color:#1f1300}.pill.skip{background:var(--skip)}
.nw{white-space:nowrap}.good-text{color:var(--good)}.bad-text{color:var(--bad)}
.msg{color:var(--muted);font-size:12px;margin-top:2px}
.gate{border-left:4px solid var(--bad);background:var(--track);padding:8px 12px;border-radius:6px;margin:10px 0 0}
.score-row{display:flex;align-items:center;gap:14px;padding-top:12px;border-top:1px solid var(--border)}.card>header+.score-row{border-top:0;padding-top:0}
.gauge .track-ring{fill:none;stroke:var(--track);stroke-width:9}.gauge .ring{fill:none;stroke-width:9;stroke-linecap:round}
.gauge .ring.good{stroke:var(--good)}.gauge .ring.warn{stroke:var(--warn)}.gauge .ring.bad{stroke:var(--bad)}
.gauge-value{font:700 22px system-ui,sans-serif;fill:var(--fg)}
.empty{color:var(--muted);font-style:italic}.empty.ok{color:var(--good)}
footer{color:var(--muted);font-size:12px;padding-top:6px;padding-bottom:28px}
@media print{:root{--bg:#fff;--card:#fff;--fg:#000;--muted:#444;--border:#ccc;--track:#eee;--hero1:#fff;--hero2:#fff;color-scheme:light}
body{font-size:11px}.hero{color:#000;padding:0 0 8px;border-bottom:2px solid #000}.logo svg{fill:#000}
.kpi{background:#fff;border-color:#bbb}.kpi.good .kpi-value,.kpi.bad .kpi-value,.kpi.warn .kpi-value{color:#000}
.toc{display:none}.wrap{max-width:none;padding:0}.card{box-shadow:none;break-inside:avoid;page-break-inside:avoid;border-color:#bbb}
.pair{grid-template-columns:minmax(0,3fr) minmax(0,2fr);break-inside:avoid}a{color:#000;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
""";
}

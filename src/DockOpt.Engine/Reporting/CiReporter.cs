using System.Globalization;
using System.Text;

namespace DockOpt.Engine.Reporting;

/// <summary>The CI system DockOpt runs under.</summary>
public enum CiPlatform
{
    None,
    GitHubActions,
    AzurePipelines,
}

/// <summary>What a CI reporter needs from the environment: the platform and its files and folders.</summary>
public sealed class CiEnvironment
{
    public CiPlatform Platform { get; init; }
    /// <summary>GITHUB_STEP_SUMMARY: the markdown file each step appends to.</summary>
    public string? SummaryPath { get; init; }
    /// <summary>GITHUB_OUTPUT: the step outputs file (name&lt;&lt;delimiter syntax).</summary>
    public string? OutputPath { get; init; }
    /// <summary>GITHUB_WORKSPACE / BUILD_SOURCESDIRECTORY: annotation paths are made relative to it.</summary>
    public string? Workspace { get; init; }
    /// <summary>Azure: where the summary files for task.uploadsummary go (AGENT_TEMPDIRECTORY, else the temp folder).</summary>
    public string? TempDirectory { get; init; }

    /// <summary>
    /// GitHub Actions when GITHUB_ACTIONS=true, Azure Pipelines when TF_BUILD=True; none when DOCKOPT_CI is off/0/false.
    /// </summary>
    public static CiEnvironment Detect(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        var optOut = getEnv("DOCKOPT_CI");
        if (optOut != null && (optOut.Equals("off", StringComparison.OrdinalIgnoreCase) || optOut == "0" || optOut.Equals("false", StringComparison.OrdinalIgnoreCase)))
            return new CiEnvironment();
        if (string.Equals(getEnv("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
            return new CiEnvironment
            {
                Platform = CiPlatform.GitHubActions,
                SummaryPath = NonEmpty(getEnv("GITHUB_STEP_SUMMARY")),
                OutputPath = NonEmpty(getEnv("GITHUB_OUTPUT")),
                Workspace = NonEmpty(getEnv("GITHUB_WORKSPACE")),
            };
        if (string.Equals(getEnv("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
            return new CiEnvironment
            {
                Platform = CiPlatform.AzurePipelines,
                Workspace = NonEmpty(getEnv("BUILD_SOURCESDIRECTORY")),
                TempDirectory = NonEmpty(getEnv("AGENT_TEMPDIRECTORY")),
            };
        return new CiEnvironment();
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

/// <summary>GitHub Actions workflow commands, escaped as the runner unescapes them (actions/toolkit command.ts).</summary>
public static class GitHubCommands
{
    /// <summary>Message text: %, CR and LF.</summary>
    public static string EscapeData(string? s) => (s ?? "").Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>Property values: as data, plus ':' and ','.</summary>
    public static string EscapeProperty(string? s) => EscapeData(s).Replace(":", "%3A").Replace(",", "%2C");

    public static string Command(string name, IEnumerable<(string Key, string? Value)>? properties, string? message)
    {
        var sb = new StringBuilder("::").Append(name);
        var first = true;
        foreach (var (k, v) in properties ?? Array.Empty<(string, string?)>())
        {
            if (string.IsNullOrEmpty(v)) continue;
            sb.Append(first ? ' ' : ',').Append(k).Append('=').Append(EscapeProperty(v));
            first = false;
        }
        return sb.Append("::").Append(EscapeData(message)).ToString();
    }

    /// <summary>One name=value entry of GITHUB_OUTPUT in the multi-line delimiter syntax.</summary>
    public static string OutputEntry(string name, string value)
    {
        string delimiter;
        do delimiter = "ghadelimiter_" + Guid.NewGuid().ToString();
        while (value.Contains(delimiter, StringComparison.Ordinal) || name.Contains(delimiter, StringComparison.Ordinal));
        return $"{name}<<{delimiter}\n{value}\n{delimiter}\n";
    }
}

/// <summary>Azure Pipelines logging commands, escaped as the agent unescapes them (azure-pipelines-task-lib).</summary>
public static class AzureCommands
{
    /// <summary>Message text: %, CR and LF.</summary>
    public static string EscapeData(string? s) => (s ?? "").Replace("%", "%AZP25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>Property values: as data, plus ';' and ']'.</summary>
    public static string EscapeProperty(string? s) => EscapeData(s).Replace("]", "%5D").Replace(";", "%3B");

    public static string Command(string area, IEnumerable<(string Key, string? Value)>? properties, string? message)
    {
        var sb = new StringBuilder("##vso[").Append(area);
        var first = true;
        foreach (var (k, v) in properties ?? Array.Empty<(string, string?)>())
        {
            if (string.IsNullOrEmpty(v)) continue;
            sb.Append(first ? " " : "").Append(k).Append('=').Append(EscapeProperty(v)).Append(';');
            first = false;
        }
        return sb.Append(']').Append(EscapeData(message)).ToString();
    }
}

/// <summary>
/// CI-native output of one DockOpt command: every DockOpt object the command emits and every gate failure goes through
/// <see cref="Observe"/>/<see cref="Error"/>/<see cref="GateFailed"/>; annotations and log groups are written at once,
/// the markdown summary section and the step outputs when the command completes. GitHub Actions: GITHUB_STEP_SUMMARY,
/// ::error/::warning/::notice, ::group::, ::add-mask::, GITHUB_OUTPUT. Azure Pipelines: task.logissue,
/// task.uploadsummary, task.setvariable, task.setsecret.
/// </summary>
public sealed class CiReporter
{
    static readonly object ConsoleLock = new();
    readonly CiEnvironment _env;
    readonly TextWriter _console;
    readonly ReportData _data = new();
    readonly List<string> _gates = new();
    readonly Dictionary<string, string> _outputs = new(StringComparer.Ordinal);
    bool _completed;

    public CiReporter(CiEnvironment env, TextWriter console, string commandName)
    {
        _env = env;
        _console = console;
        CommandName = commandName;
    }

    public string CommandName { get; }
    public CiPlatform Platform => _env.Platform;

    /// <summary>A reporter for the current process environment, or null outside CI (or with DOCKOPT_CI=off).</summary>
    public static CiReporter? FromEnvironment(string commandName, TextWriter? console = null)
    {
        var env = CiEnvironment.Detect();
        return env.Platform == CiPlatform.None ? null : new CiReporter(env, console ?? Console.Out, commandName);
    }

    /// <summary>
    /// Masks a secret in the CI log before DockOpt handles it (::add-mask:: / task.setsecret). Does nothing outside CI.
    /// Called by the engine wherever a credential is read.
    /// </summary>
    public static void MaskSecret(string? secret, TextWriter? console = null, CiEnvironment? env = null)
    {
        if (string.IsNullOrWhiteSpace(secret)) return;
        env ??= CiEnvironment.Detect();
        var line = env.Platform switch
        {
            CiPlatform.GitHubActions => GitHubCommands.Command("add-mask", null, secret),
            CiPlatform.AzurePipelines => AzureCommands.Command("task.setsecret", null, secret),
            _ => null,
        };
        if (line == null) return;
        var w = console ?? Console.Out;
        lock (ConsoleLock) { w.WriteLine(line); w.Flush(); }
    }

    void Line(string line)
    {
        lock (ConsoleLock) { _console.WriteLine(line); _console.Flush(); }
    }

    string? RelativePath(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        if (_env.Workspace == null || !Path.IsPathFullyQualified(path)) return path.Replace('\\', '/');
        var rel = Path.GetRelativePath(_env.Workspace, path);
        return (rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathFullyQualified(rel) ? path : rel).Replace('\\', '/');
    }

    /// <summary>An annotation: error, warning or notice, with a source location when there is one.</summary>
    public void Annotate(string level, string message, string? title = null, string? file = null, int? line = null, int? column = null, int? endLine = null, int? endColumn = null)
    {
        file = RelativePath(file);
        string I(int? n) => n is > 0 ? n.Value.ToString(CultureInfo.InvariantCulture) : "";
        if (_env.Platform == CiPlatform.GitHubActions)
        {
            Line(GitHubCommands.Command(level, new (string, string?)[]
            {
                ("file", file), ("line", file == null ? "" : I(line)), ("endLine", file == null ? "" : I(endLine)),
                ("col", file == null ? "" : I(column)), ("endColumn", file == null ? "" : I(endColumn)), ("title", title),
            }, message));
        }
        else if (_env.Platform == CiPlatform.AzurePipelines)
        {
            var type = level == "error" ? "error" : "warning";
            if (level == "notice") return; // Azure has errors and warnings only; notices stay in the summary.
            Line(AzureCommands.Command("task.logissue", new (string, string?)[]
            {
                ("type", type), ("sourcepath", file), ("linenumber", file == null ? "" : I(line)), ("columnnumber", file == null ? "" : I(column)), ("code", title),
            }, message));
        }
    }

    /// <summary>A collapsible group in the log around <paramref name="lines"/>.</summary>
    public void Group(string title, IEnumerable<string> lines)
    {
        var (start, end) = _env.Platform == CiPlatform.AzurePipelines
            ? ("##[group]" + AzureCommands.EscapeData(title), "##[endgroup]")
            : ("::group::" + GitHubCommands.EscapeData(title), "::endgroup::");
        var sb = new StringBuilder(start).Append('\n');
        foreach (var l in lines)
        {
            // A line of the log must not be taken for a workflow command.
            var safe = l.Replace("\r", "");
            if (safe.StartsWith("::", StringComparison.Ordinal) || safe.StartsWith("##", StringComparison.Ordinal)) safe = " " + safe;
            sb.Append(safe).Append('\n');
        }
        sb.Append(end);
        Line(sb.ToString());
    }

    public void SetOutput(string name, string value) => _outputs[name] = value;

    static string N(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);
    static string N(long d) => d.ToString(CultureInfo.InvariantCulture);

    static string Level(string severity) => ReportData.Normalize(severity) switch
    {
        "Critical" or "High" => "error",
        "Medium" => "warning",
        _ => "notice",
    };

    /// <summary>One object the command wrote to the pipeline.</summary>
    public void Observe(object? item)
    {
        if (item == null || !_data.Add(item)) return;
        switch (item)
        {
            case BuildResult b:
                Group($"DockOpt build {b.Name}: {b.StepCount} steps, {b.CacheHits} cached, {b.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
                    b.Steps.Select(s => $"Step {s.Number}/{b.StepCount}{(s.Line is { } l ? $" (line {l})" : "")}: {s.Instruction}  [{(s.Cached ? "cached" : s.DurationSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s")}]"));
                SetOutput("image_id", b.ImageId);
                SetOutput("image", b.Name);
                SetOutput("size", N(b.Size));
                SetOutput("build_seconds", N(b.DurationSeconds));
                SetOutput("cache_hits", N(b.CacheHits));
                break;
            case ImageComparison c:
                SetOutput("reference_size", N(c.ReferenceSize));
                SetOutput("size", N(c.DifferenceSize));
                SetOutput("size_reduction", N(c.SizeReduction));
                SetOutput("reduction_percent", N(c.ReductionPercent));
                break;
            case ImageAnalysis a:
                SetOutput("image_id", a.ImageId);
                SetOutput("score", N(a.Score));
                SetOutput("size", N(a.FinalSize));
                SetOutput("reclaimable_bytes", N(a.ReclaimableBytes));
                break;
            case LintFinding f:
                Annotate(Level(f.Severity.ToString()), f.Message, $"{f.RuleId} {f.RuleName}".Trim(), f.Path, f.Line, f.Column,
                    f.EndLine > 0 ? f.EndLine : null, f.EndColumn > 0 ? f.EndColumn : null);
                SetOutput("lint_findings", N(_data.LintFindings.Count));
                break;
            case ImageTestResult t:
                if (t.Outcome is ImageTestOutcome.Failed or ImageTestOutcome.Error)
                    Annotate("error", $"{t.Category}: {t.Name}: {t.Message}" + (t.Expected.Length > 0 ? $" (expected {t.Expected}, got {t.Actual})" : ""),
                        $"Image test {t.Outcome.ToString().ToLowerInvariant()}: {t.Image}");
                var bad = _data.TestResults.Count(r => r.Outcome is ImageTestOutcome.Failed or ImageTestOutcome.Error);
                SetOutput("outcome", bad > 0 ? "Failed" : "Passed");
                SetOutput("tests_failed", N(bad));
                SetOutput("tests_passed", N(_data.TestResults.Count(r => r.Outcome == ImageTestOutcome.Passed)));
                break;
            case ImageTestSummary s:
                SetOutput("outcome", s.Outcome.ToString());
                SetOutput("tests_failed", N(s.FailedCount + s.ErrorCount));
                SetOutput("tests_passed", N(s.PassedCount));
                break;
            case SecurityReport r:
                AnnotateLocated(r);
                SetOutput("image_id", r.ImageId);
                SetOutput("outcome", r.Outcome);
                SetOutput("score", N(r.Score));
                SetOutput("critical", N(r.Critical));
                SetOutput("high", N(r.High));
                break;
            case PublishResult p:
                SetOutput("image_uri", p.ImageUri);
                SetOutput("digest", p.Digest);
                SetOutput("size", N(p.Size));
                SetOutput("image_id", p.ImageId);
                break;
            case HistorySummary h:
                SetOutput("size", N(h.LastSize));
                if (h.SizeChange is { } sc) SetOutput("size_change", N(sc));
                break;
        }
    }

    /// <summary>At most this many scan findings of one report are annotated (most severe first); the rest are in the summary and the report.</summary>
    public const int MaxScanAnnotations = 50;

    static int Rank(string severity) => ReportData.Normalize(severity) switch { "Critical" => 0, "High" => 1, "Medium" => 2, "Low" => 3, "Info" => 4, _ => 5 };

    /// <summary>
    /// Scan findings tied to a Dockerfile instruction (secrets, configuration, vulnerabilities of packages an instruction
    /// installed) as annotations at that file and line; findings without a location stay in the summary.
    /// </summary>
    void AnnotateLocated(SecurityReport r)
    {
        var items = new List<(string Severity, string Message, string Title, string File, int Line)>();
        foreach (var f in r.Findings)
            if (!f.Suppressed && f.Dockerfile is { Length: > 0 } df && f.Line is > 0)
                items.Add((f.Severity, $"{f.Title}: {f.Location}{(f.Match.Length > 0 ? $" ({f.Match})" : "")} in {r.Image}, layer {f.Layer}.", $"{f.RuleId} {f.Kind}".Trim(), df, f.Line.Value));
        foreach (var v in r.Vulnerabilities)
            if (!v.Suppressed && v.Dockerfile is { Length: > 0 } df && v.Line is > 0)
                items.Add((v.Severity.ToString(), $"{v.Id} in {v.Package} {v.InstalledVersion}{(v.FixedVersion.Length > 0 ? $" (fixed in {v.FixedVersion})" : " (no fix yet)")}{(v.Title.Length > 0 ? $": {v.Title}" : "")}; installed by this instruction, found in {r.Image}.",
                    $"{v.Id} {v.Severity}", df, v.Line.Value));
        foreach (var a in items.OrderBy(i => Rank(i.Severity)).ThenBy(i => i.Line).Take(MaxScanAnnotations))
            Annotate(Level(a.Severity), a.Message, a.Title, a.File, a.Line);
    }

    /// <summary>A non-terminating or terminating error of the command; a failed build step is annotated at its Dockerfile line.</summary>
    public void Error(DockOptException? e)
    {
        if (e == null) return;
        if (e is BuildStepFailedException b)
        {
            Annotate("error", $"Step {b.StepNumber}/{b.StepCount} failed{(b.ExitCode is { } x ? $" with exit code {x}" : "")}: {b.Instruction}", "Build step failed", b.Dockerfile, b.Line);
            if (b.OutputTail.Length > 0) Group($"Output of the failed step {b.StepNumber}: {b.Instruction}", b.OutputTail);
            _gates.Add($"Build step {b.StepNumber} failed: {b.Instruction}");
            SetOutput("outcome", "Failed");
        }
        else if (e.ErrorId.EndsWith("GateFailed", StringComparison.Ordinal))
        {
            GateFailed(e.ErrorId, e.Message);
        }
    }

    /// <summary>A failed CI gate (-FailOn, -MinimumScore …): an error annotation and a line in the summary.</summary>
    public void GateFailed(string errorId, string message)
    {
        Annotate("error", message, $"DockOpt gate failed ({errorId})");
        _gates.Add($"{errorId}: {message}");
        SetOutput("gate", "Failed");
    }

    /// <summary>The markdown section of this command so far (empty when there is nothing to say).</summary>
    public string Markdown()
    {
        var md = MarkdownRenderers.All(_data);
        if (_gates.Count > 0)
            md += string.Concat(_gates.Select(g => $"> **❌ {ReportText.Md(g, 1000)}**\n\n"));
        return md;
    }

    /// <summary>Writes the summary section and the outputs; once (later calls do nothing).</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        var md = Markdown();
        try
        {
            if (_env.Platform == CiPlatform.GitHubActions)
            {
                if (md.Length > 0 && _env.SummaryPath != null) File.AppendAllText(_env.SummaryPath, md, new UTF8Encoding(false));
                if (_outputs.Count > 0 && _env.OutputPath != null)
                    File.AppendAllText(_env.OutputPath, string.Concat(_outputs.Select(o => GitHubCommands.OutputEntry(o.Key, o.Value))), new UTF8Encoding(false));
            }
            else if (_env.Platform == CiPlatform.AzurePipelines)
            {
                if (md.Length > 0)
                {
                    var dir = _env.TempDirectory ?? Path.GetTempPath();
                    var file = Path.Combine(dir, $"dockopt-{CommandName}-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("n")[..6]}.md");
                    File.WriteAllText(file, md, new UTF8Encoding(false));
                    Line(AzureCommands.Command("task.uploadsummary", null, file));
                }
                foreach (var (k, v) in _outputs)
                    Line(AzureCommands.Command("task.setvariable", new (string, string?)[] { ("variable", k), ("isOutput", "true") }, v));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Annotate("warning", $"DockOpt could not write the CI summary or outputs: {e.Message}", "DockOpt CI output");
        }
    }
}

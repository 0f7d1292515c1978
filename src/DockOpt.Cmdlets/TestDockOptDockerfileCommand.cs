using System.Collections;
using System.Management.Automation;
using DockOpt.Engine.Dockerfiles;

namespace DockOpt.Cmdlets;

/// <summary>Lints Dockerfiles: hadolint-compatible rules, Docker build checks, and image optimization advice.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DockOptDockerfile", DefaultParameterSetName = ParameterSets.Path, SupportsShouldProcess = true)]
[OutputType(typeof(LintFinding), typeof(string))]
public sealed class TestDockOptDockerfileCommand : DockOptCmdlet
{
    readonly List<LintFinding> _all = new();
    readonly List<string> _files = new();
    readonly Dictionary<string, LintOptions> _optionsByDir = new(StringComparer.Ordinal);
    static readonly string[] Formats = { "Sarif", "Json", "Checkstyle", "JUnit", "GitHub" };

    readonly Dictionary<Severity, int> _gated = new();
    readonly HashSet<string> _gatedFiles = new(StringComparer.Ordinal);
    readonly List<string> _notLinted = new();
    readonly Dictionary<string, byte[]> _bytes = new();
    bool _gateActive;
    string? _format;
    int _progressCount;

    /// <summary>Dockerfiles or directories (wildcards allowed; directories are searched recursively for Dockerfile, Dockerfile.*, *.dockerfile, Containerfile).</summary>
    [Parameter(Position = 0, ParameterSetName = ParameterSets.Path, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Dockerfiles or directories, taken literally (no wildcard expansion).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.LiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Dockerfile text to lint.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Content, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string? Content { get; set; }

    /// <summary>A .dockopt.yml or .hadolint.yaml to use instead of the discovered ones.</summary>
    [Parameter]
    public string? ConfigPath { get; set; }

    /// <summary>Build arguments that override ARG defaults, like docker build --build-arg.</summary>
    [Parameter]
    public Hashtable? BuildArg { get; set; }

    /// <summary>The stage that is shipped (like docker build --target); default: the last stage.</summary>
    [Parameter]
    public string? Target { get; set; }

    /// <summary>Rule ids to skip (DockOpt, hadolint DL or build-check names).</summary>
    [Parameter]
    public string[]? ExcludeRule { get; set; }

    /// <summary>Opt-in rules to turn on (DO3005 package pinning, DO5006 digest pinning).</summary>
    [Parameter]
    public string[]? IncludeRule { get; set; }

    /// <summary>Report format: Sarif, Json, Checkstyle, JUnit or GitHub. Without -OutFile the report text replaces the findings in the pipeline.</summary>
    [Parameter]
    [ValidateSet("Sarif", "Json", "Checkstyle", "JUnit", "GitHub", IgnoreCase = true)]
    public string? Format { get; set; }

    /// <summary>File the report is written to (format from -Format or the extension: .sarif, .json, .xml); the findings still go to the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>
    /// End with one LintGateFailed error, after all files, when findings at or above this severity exist or a file could not be
    /// linted. DockOpt's severities (Info, Low, Medium, High, Critical) or hadolint's words (Style, Warning, Error).
    /// </summary>
    [Parameter]
    [SeverityTransformation]
    public Severity FailOn { get; set; }

    /// <summary>Apply the safe rewrites to the files.</summary>
    [Parameter(ParameterSetName = ParameterSets.Path)]
    [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
    public SwitchParameter Fix { get; set; }

    /// <summary>Ignore inline ignore comments (# hadolint ignore=, # dockopt ignore=, # check=skip=).</summary>
    [Parameter]
    public SwitchParameter DisableInlineIgnore { get; set; }

    protected override void BeginProcessing()
    {
        try
        {
            _format = ReportFormat.Resolve(Format, OutFile, Formats);
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        _gateActive = MyInvocation.BoundParameters.ContainsKey(nameof(FailOn));
        if (ConfigPath != null)
        {
            var p = GetUnresolvedProviderPathFromPSPath(ConfigPath);
            if (!File.Exists(p))
                ThrowTerminatingError(ToErrorRecord(new DockOptException(ErrorIds.LintConfigNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"Configuration file '{p}' does not exist.", p, "Check -ConfigPath.")));
            ConfigPath = p;
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.Content)
        {
            if (Content == null) return;
            LintText(Content, null);
            return;
        }
        var literal = ParameterSetName == ParameterSets.LiteralPath;
        var inputs = (literal ? LiteralPath : Path) ?? new[] { SessionState.Path.CurrentFileSystemLocation.Path };
        foreach (var input in inputs)
        {
            if (string.IsNullOrWhiteSpace(input)) continue;
            List<string> resolved;
            try
            {
                resolved = !literal && WildcardPattern.ContainsWildcardCharacters(input)
                    ? GetResolvedProviderPathFromPSPath(input, out _).ToList()
                    : new List<string> { GetUnresolvedProviderPathFromPSPath(input) };
            }
            catch (ItemNotFoundException)
            {
                resolved = new List<string>();
            }
            if (resolved.Count == 0 || resolved.All(p => !File.Exists(p) && !Directory.Exists(p)))
            {
                _notLinted.Add($"{input}: not found");
                WriteError(ToErrorRecord(new DockOptException(ErrorIds.DockerfileNotFound, DockOptErrorCategory.ObjectNotFound,
                    $"Cannot find '{input}'.", input, "Pass a Dockerfile or a directory that contains one.")));
                continue;
            }
            foreach (var p in resolved)
            {
                if (Directory.Exists(p))
                {
                    var found = DockerfileDiscovery.Find(p).ToList();
                    if (found.Count == 0)
                    {
                        _notLinted.Add($"{p}: no Dockerfile in the folder");
                        WriteWarning($"No Dockerfile (Dockerfile, Dockerfile.*, *.dockerfile, Containerfile) under '{p}'.");
                    }
                    foreach (var f in found) LintFile(f);
                }
                else LintFile(p);
            }
        }
    }

    LintOptions OptionsFor(string? file)
    {
        var dir = file == null ? "" : System.IO.Path.GetDirectoryName(file) ?? "";
        if (_optionsByDir.TryGetValue(dir, out var cached)) return cached;
        var o = new LintOptions();
        var configs = ConfigPath != null ? new List<string> { ConfigPath }
            : LintConfigLoader.Discover(file == null ? null : dir, SessionState.Path.CurrentFileSystemLocation.Path);
        foreach (var c in configs)
        {
            LintConfigLoader.Load(c, o);
            WriteVerbose($"Lint configuration: {c}");
        }
        if (BuildArg != null)
            foreach (DictionaryEntry e in BuildArg) o.BuildArgs[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        if (Target != null) o.Target = Target;
        if (ExcludeRule != null) o.Ignored.UnionWith(ExcludeRule);
        if (IncludeRule != null) o.Enabled.UnionWith(IncludeRule);
        if (DisableInlineIgnore) o.DisableInlineIgnore = true;
        _optionsByDir[dir] = o;
        return o;
    }

    void LintFile(string path)
    {
        WriteProgress(new ProgressRecord(1, "Linting Dockerfiles", path) { PercentComplete = -1 });
        _progressCount++;
        string text;
        try
        {
            var bytes = DockOpt.Engine.Dockerfiles.SourceFile.ReadBytes(path, "Dockerfile");
            _bytes[path] = bytes;
            text = DockOpt.Engine.Dockerfiles.SourceFile.DecodeUtf8Exactly(bytes)
                ?? new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();
        }
        catch (DockOptException e)
        {
            _notLinted.Add($"{path}: {e.Message}");
            WriteError(ToErrorRecord(e));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _notLinted.Add($"{path}: unreadable");
            WriteError(ToErrorRecord(new DockOptException(ErrorIds.DockerfileUnreadable, DockOptErrorCategory.ReadError,
                $"Cannot read '{path}': {e.Message}", path, "Check the file permissions.", e)));
            return;
        }
        _files.Add(path);
        LintText(text, path);
    }

    void LintText(string text, string? path)
    {
        var target = path ?? "<content>";
        var doc = text.Contains('\0') ? null : DockerfileParser.Parse(text);
        if (doc == null || doc.Instructions.Count == 0)
        {
            _notLinted.Add(text.Contains('\0') ? $"{target}: binary file" : text.Trim().Length == 0 ? $"{target}: empty" : $"{target}: no Dockerfile instruction");
            WriteError(ToErrorRecord(new DockOptException(ErrorIds.DockerfileUnparseable, DockOptErrorCategory.ParserError,
                text.Contains('\0') ? $"'{target}' is a binary file, not a Dockerfile." : $"'{target}' contains no Dockerfile instruction.", target,
                "Pass a Dockerfile (text with FROM and other instructions).")));
            return;
        }
        LintOptions options;
        try { options = OptionsFor(path); }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
            return;
        }
        DockerfileLintResult result;
        try { result = DockerfileLinter.Lint(doc, text, path, options); }
        catch (DockOptException e) // e.g. a .dockerignore that is a FIFO
        {
            _notLinted.Add($"{target}: {e.Message}");
            WriteError(ToErrorRecord(e));
            return;
        }

        if (Fix && path != null && result.Fixes.Count > 0)
        {
            var fixedText = DockerfileFixer.Apply(text, result.Fixes.SelectMany(f => f.Edits), out var applied);
            // -Fix rewrites only what it fixes: bytes that are not UTF-8 would not survive a decode and encode, so refuse.
            if (fixedText != text && (!_bytes.TryGetValue(path, out var original) || DockOpt.Engine.Dockerfiles.SourceFile.DecodeUtf8Exactly(original) != text))
            {
                WriteError(ToErrorRecord(new DockOptException(ErrorIds.DockerfileFixRefused, DockOptErrorCategory.InvalidData,
                    $"'{path}' is not valid UTF-8; -Fix leaves it unchanged rather than replace its bytes ({applied} fix(es) not applied).", path,
                    "-Fix rewrites UTF-8 files only: convert the file to UTF-8 (iconv -f <encoding> -t UTF-8) or apply the fixes by hand.")));
            }
            else if (fixedText != text)
            {
                var diff = DockerfileFixer.Diff(path, text, fixedText);
                var rules = string.Join(", ", result.Fixes.Select(f => f.Finding.RuleId).Distinct());
                if (ShouldProcess($"Apply {applied} safe fix(es) ({rules}) to '{path}':\n{diff}", $"Apply {applied} safe fix(es) to '{path}'?", "Fix Dockerfile"))
                {
                    try
                    {
                        DockOpt.Engine.Dockerfiles.SourceFile.Rewrite(path, fixedText);
                    }
                    catch (DockOptException e)
                    {
                        WriteError(ToErrorRecord(e));
                        return;
                    }
                    WriteVerbose($"Fixed {applied} finding(s) in {path}.");
                    result = DockerfileLinter.Lint(fixedText, path, options);
                }
            }
        }

        Severity? threshold = MyInvocation.BoundParameters.ContainsKey(nameof(FailOn)) ? FailOn
            : options.FailureThreshold;
        if (threshold != null) _gateActive = true;
        foreach (var f in result.Findings)
        {
            var severity = f.Severity;
            if (threshold is { } t && severity >= t)
            {
                _gated[severity] = _gated.GetValueOrDefault(severity) + 1;
                _gatedFiles.Add(f.Path);
            }
            if (_format == null || OutFile != null) WriteObject(f);
            if (_format != null) _all.Add(f);
        }
    }

    protected override void EndProcessing()
    {
        if (_progressCount > 0)
            WriteProgress(new ProgressRecord(1, "Linting Dockerfiles", "Done") { RecordType = ProgressRecordType.Completed });
        if (_format != null)
        {
            var report = LintReportWriter.Write(_format, _all, _files);
            if (OutFile != null)
            {
                var outPath = GetUnresolvedProviderPathFromPSPath(OutFile);
                if (ShouldProcess(outPath, $"Write the {_format} report"))
                try
                {
                    DockOpt.Engine.IO.AtomicFile.WriteAllText(outPath, report);
                }
                catch (DockOptException e)
                {
                    ThrowTerminatingError(ToErrorRecord(e));
                }
            }
            else WriteObject(report);
        }
        if (_gateActive && (_gated.Count > 0 || _notLinted.Count > 0))
        {
            var threshold = MyInvocation.BoundParameters.ContainsKey(nameof(FailOn)) ? FailOn.ToString() : "the configured failure-threshold";
            var reasons = new List<string>();
            if (_gated.Count > 0)
            {
                var total = _gated.Values.Sum();
                var parts = string.Join(", ", _gated.OrderByDescending(k => k.Key).Select(k => $"{k.Value} {k.Key}"));
                reasons.Add($"{total} finding(s) at or above {threshold} ({parts}) in {_gatedFiles.Count} file(s)");
            }
            if (_notLinted.Count > 0)
                reasons.Add($"{_notLinted.Count} input(s) could not be linted ({string.Join("; ", _notLinted)})");
            var e = new DockOptException(ErrorIds.LintGateFailed, DockOptErrorCategory.InvalidResult,
                $"Lint gate failed: {string.Join("; ", reasons)}.",
                threshold, "Fix the findings, or suppress them with '# dockopt ignore=<rule>' or ignored: in .dockopt.yml; pass only readable Dockerfiles.");
            ThrowTerminatingError(ToErrorRecord(e));
        }
        base.EndProcessing();
    }

}

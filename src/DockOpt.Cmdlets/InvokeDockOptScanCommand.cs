using System.Management.Automation;
using DockOpt.Engine.Security;

namespace DockOpt.Cmdlets;

/// <summary>Scans images offline: vulnerabilities (OSV records, Trivy report), secrets in every layer, configuration; score and CI gate.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "DockOptScan", DefaultParameterSetName = ParameterSets.Archive, SupportsShouldProcess = true)]
[OutputType(typeof(SecurityReport), typeof(string))]
public sealed class InvokeDockOptScanCommand : ImageSourceCmdlet
{
    /// <summary>Existing SBOMs (CycloneDX or SPDX JSON, from DockOpt or syft) to scan instead of images.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Sbom)]
    [ValidateNotNullOrEmpty]
    public string[] Sbom { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The Dockerfile the images were built from: findings its instructions created (secrets and configuration in their
    /// layers or history, vulnerabilities of packages they installed) carry Dockerfile, Line and Instruction, and CI
    /// annotations point there. Binds the Dockerfile of a build result piped in from Invoke-DockOptBuild.
    /// </summary>
    // By property name only in the Name set: a piped file (FileInfo) must still choose the Archive set by its FullName.
    [Parameter(ParameterSetName = ParameterSets.Name, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ParameterSets.Archive)]
    [Parameter(ParameterSetName = ParameterSets.ArchiveLiteralPath)]
    public string? Dockerfile { get; set; }

    /// <summary>The stage of -Dockerfile the images were built from. Default: the last stage, else the stage whose instructions end the image's history.</summary>
    [Parameter(ParameterSetName = ParameterSets.Name)]
    [Parameter(ParameterSetName = ParameterSets.Archive)]
    [Parameter(ParameterSetName = ParameterSets.ArchiveLiteralPath)]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    readonly List<string> _sboms = new();
    readonly Dictionary<string, DockerfileRef> _dockerfiles = new(StringComparer.Ordinal);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.Sbom)
        {
            foreach (var s in Sbom) _sboms.Add(GetUnresolvedProviderPathFromPSPath(s));
            return;
        }
        var before = Items.Count;
        base.ProcessRecord();
        if (string.IsNullOrEmpty(Dockerfile)) return;
        var df = new DockerfileRef(GetUnresolvedProviderPathFromPSPath(Dockerfile), string.IsNullOrWhiteSpace(Target) ? null : Target);
        for (var i = before; i < Items.Count; i++) _dockerfiles[Items[i].Image] = df;
    }

    static readonly string[] Formats = { "Sarif", "Json" };
    string? _format;

    /// <summary>Vulnerability databases: folders (of osv.dev ecosystem zips or OSV records), zips, or OSV JSON/YAML files. Default: the database Update-DockOptVulnerabilityDatabase keeps.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? VulnerabilityDatabase { get; set; }

    /// <summary>
    /// The oldest vulnerability database accepted (7d, 36h, a TimeSpan). Past it the scan is Incomplete (a gate fails
    /// with SecurityScanIncomplete, never passes on old data). Default: $env:DOCKOPT_VULNDB_MAX_AGE with the same effect;
    /// without either, a database older than 7 days only draws a warning.
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? MaximumDatabaseAge { get; set; }

    /// <summary>The severity -FailOn gives vulnerabilities that no source rates. Without it, Unknown counts at every -FailOn level.</summary>
    [Parameter]
    [SeverityTransformation]
    public DockOpt.Severity? UnknownSeverity { get; set; }

    /// <summary>A Trivy JSON report (trivy image --format json) to take vulnerabilities from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TrivyReport { get; set; }

    /// <summary>Do not run trivy even when it is on PATH.</summary>
    [Parameter]
    public SwitchParameter NoTrivy { get; set; }

    /// <summary>.trivyignore or .trivyignore.yaml file. Default: one of those in the current folder, when present.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? IgnoreFile { get; set; }

    /// <summary>Scanners to run: Vulnerability, Secret, Config (default all).</summary>
    [Parameter]
    [ValidateSet("Vulnerability", "Secret", "Config")]
    public string[] Scanner { get; set; } = { "Vulnerability", "Secret", "Config" };

    /// <summary>Lowest severity shown in the report's Findings and Vulnerabilities (does not affect the gate).</summary>
    [Parameter]
    [SeverityTransformation]
    public Severity Severity { get; set; } = DockOpt.Severity.Unknown;

    /// <summary>Fail (one terminating SecurityGateFailed error after all images) when a finding at or above this severity is present or an image could not be scanned.</summary>
    [Parameter]
    [SeverityTransformation]
    public Severity? FailOn { get; set; }

    /// <summary>With -FailOn, only vulnerabilities that have a fixed version count.</summary>
    [Parameter]
    public SwitchParameter FailOnFixableOnly { get; set; }

    /// <summary>Fail when an image's score is below this value.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? MinimumScore { get; set; }

    /// <summary>Leave out findings from base-image layers.</summary>
    [Parameter]
    public SwitchParameter IgnoreBase { get; set; }

    /// <summary>Report format: Sarif or Json. Without -OutFile the report text replaces the SecurityReport objects in the pipeline.</summary>
    [Parameter]
    [ValidateSet("Sarif", "Json", IgnoreCase = true)]
    public string? Format { get; set; }

    /// <summary>Write the reports of all images to this file (format from -Format or the extension .sarif / .json); the objects still go to the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _format = ReportFormat.Resolve(Format, OutFile, Formats);
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    protected override void EndProcessing()
    {
        if (_sboms.Count == 0 && !RequireInput())
        {
            base.EndProcessing();
            return;
        }
        var req = BuildScanRequest();
        var outFile = ResolveOptional(OutFile);
        var textOnly = _format != null && outFile == null;
        Run(async ct =>
        {
            var service = new SecurityScanService(req, this);
            service.Prepare();
            var reports = new List<SecurityReport>();
            var items = await ExpandItemsAsync(ct).ConfigureAwait(false);
            var tally = new ScanTally(reports, Unresolved.Select(u => $"{u}: not found").ToList(), new List<string>(), textOnly);
            ScanSboms(service, tally);
            await ScanImagesAsync(service, items, tally, ct).ConfigureAwait(false);
            Progress(new DockOptProgress(70, "Invoke-DockOptScan", "done") { Completed = true });
            WriteReports(tally, outFile);
            ThrowIfGateFailed(tally, items);
        });
        base.EndProcessing();
    }

    /// <summary>The reports of the command so far, the gate reasons (failed) and the incomplete scans; TextOnly: the report text replaces the objects.</summary>
    sealed record ScanTally(List<SecurityReport> Reports, List<string> Failed, List<string> Incomplete, bool TextOnly);

    /// <summary>The scan request from the parameters, with the ignore file (given, or the default one in the current folder).</summary>
    SecurityScanRequest BuildScanRequest()
    {
        var ignore = ResolveOptional(IgnoreFile);
        if (ignore == null && (ignore = DockOpt.Engine.Security.IgnoreFile.FindDefault(SessionState.Path.CurrentFileSystemLocation.ProviderPath)) != null)
            WriteVerbose($"Using ignore file {ignore}.");
        return new SecurityScanRequest
        {
            Platform = Platform,
            Vulnerabilities = Scanner.Contains("Vulnerability", StringComparer.OrdinalIgnoreCase),
            Secrets = Scanner.Contains("Secret", StringComparer.OrdinalIgnoreCase),
            Config = Scanner.Contains("Config", StringComparer.OrdinalIgnoreCase),
            VulnerabilityDatabases = VulnerabilityDatabase?.Select(p => ResolveOptional(p)!).ToArray() ?? Array.Empty<string>(),
            MaxDatabaseAge = MaximumDatabaseAge,
            TrivyReport = ResolveOptional(TrivyReport),
            RunTrivy = !NoTrivy,
            IgnoreFile = ignore,
            SbomPath = ResolvedSbomPath,
            SbomTimestamp = SbomTimestamp,
            SbomFormat = SbomFormat,
            Policy = new GatePolicy { Severity = Severity.ToString(), FailOn = FailOn?.ToString(), FailOnFixableOnly = FailOnFixableOnly, MinScore = MinimumScore, IgnoreBase = IgnoreBase,
                UnknownSeverity = UnknownSeverity },
        };
    }

    /// <summary>Scans each -Sbom; a failure is written as an error and counted against the gate.</summary>
    void ScanSboms(SecurityScanService service, ScanTally tally)
    {
        foreach (var sbom in _sboms)
        {
            try
            {
                var report = service.ScanSbom(sbom);
                tally.Reports.Add(report);
                if (!tally.TextOnly) Output(report);
                if (report.Outcome == "Incomplete") tally.Incomplete.Add($"{sbom}: incomplete ({string.Join("; ", report.Errors)})");
                if (report.GateReasons.Length > 0) tally.Failed.Add($"{sbom}: {string.Join("; ", report.GateReasons)}");
            }
            catch (DockOptException e) when (!IsTerminating(e))
            {
                Error(e);
                tally.Failed.Add($"{sbom}: {e.ErrorId}");
            }
        }
    }

    /// <summary>Scans each image with its Dockerfile; a failure is written as an error and counted against the gate.</summary>
    async Task ScanImagesAsync(SecurityScanService service, List<(string Image, bool IsPath)> items, ScanTally tally, CancellationToken ct)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var (image, isPath) = items[i];
            Progress(new DockOptProgress(70, "Invoke-DockOptScan", $"{image} ({i + 1}/{items.Count})") { PercentComplete = 100 * i / Math.Max(1, items.Count) });
            try
            {
                var engine = IsEngineName((image, isPath)) ? await GetEngineAsync(ct).ConfigureAwait(false) : null;
                // a name a wildcard expanded to has no entry of its own: one Dockerfile for the command applies to it
                var dockerfile = _dockerfiles.TryGetValue(image, out var d) ? d : _dockerfiles.Values.Distinct().Count() == 1 ? _dockerfiles.Values.First() : null;
                var report = await service.ScanAsync(engine, image, isPath, ct, dockerfile).ConfigureAwait(false);
                tally.Reports.Add(report);
                if (!tally.TextOnly) Output(report);
                if (report.Outcome == "Incomplete")
                {
                    Warning($"{image}: the scan is incomplete: {string.Join("; ", report.Errors)}");
                    tally.Incomplete.Add($"{image}: incomplete ({string.Join("; ", report.Errors)})");
                }
                if (report.GateReasons.Length > 0) tally.Failed.Add($"{image}: {string.Join("; ", report.GateReasons)}");
            }
            catch (DockOptException e) when (!IsTerminating(e))
            {
                Error(e);
                tally.Failed.Add($"{image}: {e.ErrorId}");
            }
        }
    }

    /// <summary>Writes the -Format report text to the pipeline (no -OutFile) or to -OutFile.</summary>
    void WriteReports(ScanTally tally, string? outFile)
    {
        var reports = tally.Reports;
        string Report() => _format == "Sarif" ? ReportWriters.ToSarif(reports, SecurityScanService.ToolVersion) : ReportWriters.ToJson(reports);
        if (tally.TextOnly) Output(Report());
        else if (outFile != null && reports.Count > 0 && ((IDockOptSink)this).ShouldProcess(outFile, $"Write the {_format} report"))
            ReportWriters.WriteAtomic(outFile, Report());
    }

    /// <summary>With -FailOn or -MinimumScore: the one terminating error for incomplete scans, else for gate failures.</summary>
    void ThrowIfGateFailed(ScanTally tally, List<(string Image, bool IsPath)> items)
    {
        var (failed, incomplete) = (tally.Failed, tally.Incomplete);
        var total = items.Count + Unresolved.Count + _sboms.Count;
        var targets = string.Join(",", items.Select(x => x.Image).Concat(Unresolved).Concat(_sboms));
        if ((FailOn != null || MinimumScore != null) && incomplete.Count > 0)
            throw new DockOptException(ErrorIds.SecurityScanIncomplete, DockOptErrorCategory.InvalidResult,
                $"Security gate: {incomplete.Count} of {total} scan(s) incomplete: {string.Join(" | ", incomplete.Concat(failed))}", targets,
                "Fix the reasons listed (run Update-DockOptVulnerabilityDatabase, or scan with -Scanner Secret,Config to skip vulnerabilities explicitly); an incomplete scan is never a pass.");
        if ((FailOn != null || MinimumScore != null) && failed.Count > 0)
            throw new DockOptException(ErrorIds.SecurityGateFailed, DockOptErrorCategory.SecurityError,
                $"Security gate failed for {failed.Count} of {total} input(s): {string.Join(" | ", failed)}", targets,
                "Fix the findings, or suppress accepted ones in a .trivyignore file with an expiry date; images that could not be scanned count too.");
    }
}

using System.Management.Automation;
using DockOpt.Engine.Security;

namespace DockOpt.Cmdlets;

/// <summary>Scans images offline: vulnerabilities (OSV records, Trivy report), secrets in every layer, configuration; score and CI gate.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "DockOptScan", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(SecurityReport))]
public sealed class InvokeDockOptScanCommand : ImageSourceCmdlet
{
    /// <summary>Existing SBOMs (CycloneDX or SPDX JSON, from DockOpt or syft) to scan instead of images.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Sbom")]
    [ValidateNotNullOrEmpty]
    public string[] Sbom { get; set; } = Array.Empty<string>();

    readonly List<string> _sboms = new();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Sbom")
            foreach (var s in Sbom) _sboms.Add(GetUnresolvedProviderPathFromPSPath(s));
        else base.ProcessRecord();
    }

    /// <summary>Folder or zip of OSV-format advisory records.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VulnerabilityDatabase { get; set; }

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
    [ValidateSet("Unknown", "Info", "Low", "Medium", "High", "Critical")]
    public string Severity { get; set; } = "Unknown";

    /// <summary>Fail (one terminating SecurityGateFailed error after all images) when a finding at or above this severity is present.</summary>
    [Parameter]
    [ValidateSet("Info", "Low", "Medium", "High", "Critical")]
    public string? FailOn { get; set; }

    /// <summary>With -FailOn, only vulnerabilities that have a fixed version count.</summary>
    [Parameter]
    public SwitchParameter FailOnFixableOnly { get; set; }

    /// <summary>Fail when an image's score is below this value.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? MinScore { get; set; }

    /// <summary>Leave out findings from base-image layers.</summary>
    [Parameter]
    public SwitchParameter IgnoreBase { get; set; }

    /// <summary>Report file format for -OutFile: Sarif or Json.</summary>
    [Parameter]
    [ValidateSet("Sarif", "Json")]
    public string? Format { get; set; }

    /// <summary>Write the reports of all images to this file in -Format.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    protected override void EndProcessing()
    {
        if ((Format == null) != (OutFile == null))
            ThrowTerminatingError(DockOptCmdlet.ToErrorRecord(new DockOptException("FormatRequiresOutFile", DockOptErrorCategory.InvalidArgument,
                "-Format and -OutFile go together.", Format ?? OutFile, "Give both, e.g. -Format Sarif -OutFile scan.sarif.")));
        var ignore = ResolveOptional(IgnoreFile);
        if (ignore == null && (ignore = DockOpt.Engine.Security.IgnoreFile.FindDefault(SessionState.Path.CurrentFileSystemLocation.ProviderPath)) != null)
            WriteVerbose($"Using ignore file {ignore}.");
        var req = new SecurityScanRequest
        {
            Vulnerabilities = Scanner.Contains("Vulnerability", StringComparer.OrdinalIgnoreCase),
            Secrets = Scanner.Contains("Secret", StringComparer.OrdinalIgnoreCase),
            Config = Scanner.Contains("Config", StringComparer.OrdinalIgnoreCase),
            VulnerabilityDatabase = ResolveOptional(VulnerabilityDatabase),
            TrivyReport = ResolveOptional(TrivyReport),
            RunTrivy = !NoTrivy,
            IgnoreFile = ignore,
            SbomPath = ResolvedSbomPath,
            SbomTimestamp = SbomTimestamp,
            SbomFormat = SbomFormat,
            Policy = new GatePolicy { Severity = Severity, FailOn = FailOn, FailOnFixableOnly = FailOnFixableOnly, MinScore = MinScore, IgnoreBase = IgnoreBase },
        };
        var outFile = ResolveOptional(OutFile);
        Run(async ct =>
        {
            var service = new SecurityScanService(req, this);
            service.Prepare();
            var reports = new List<SecurityReport>();
            var failed = new List<string>();
            foreach (var sbom in _sboms)
            {
                try
                {
                    var report = service.ScanSbom(sbom);
                    reports.Add(report);
                    Output(report);
                    if (report.Outcome == "PolicyFailed") failed.Add($"{sbom}: {string.Join("; ", report.GateReasons)}");
                }
                catch (DockOptException e) when (!IsTerminating(e))
                {
                    Error(e);
                    failed.Add($"{sbom}: {e.ErrorId}");
                }
            }
            for (var i = 0; i < Items.Count; i++)
            {
                var (image, isPath) = Items[i];
                Progress(new DockOptProgress(70, "Invoke-DockOptScan", $"{image} ({i + 1}/{Items.Count})") { PercentComplete = 100 * i / Math.Max(1, Items.Count) });
                try
                {
                    var engine = isPath ? null : await GetEngineAsync(ct).ConfigureAwait(false);
                    var report = await service.ScanAsync(engine, image, isPath, ct).ConfigureAwait(false);
                    reports.Add(report);
                    Output(report);
                    if (report.Outcome == "ScannerError")
                    {
                        Error(new DockOptException("SecurityScannerError", DockOptErrorCategory.InvalidResult,
                            $"{image}: the scan is incomplete: {string.Join("; ", report.Errors)}", image,
                            "Fix the scanner problem; an incomplete scan is not a pass."));
                        failed.Add($"{image}: scanner error");
                    }
                    else if (report.Outcome == "PolicyFailed") failed.Add($"{image}: {string.Join("; ", report.GateReasons)}");
                }
                catch (DockOptException e) when (!IsTerminating(e))
                {
                    Error(e);
                    failed.Add($"{image}: {e.ErrorId}");
                }
            }
            Progress(new DockOptProgress(70, "Invoke-DockOptScan", "done") { Completed = true });
            if (outFile != null && reports.Count > 0 && ((IDockOptSink)this).ShouldProcess(outFile, $"Write {Format} report"))
                ReportWriters.WriteAtomic(outFile, Format == "Sarif" ? ReportWriters.ToSarif(reports, SecurityScanService.ToolVersion) : ReportWriters.ToJson(reports));
            if ((FailOn != null || MinScore != null) && failed.Count > 0)
                throw new DockOptException("SecurityGateFailed", DockOptErrorCategory.SecurityError,
                    $"Security gate failed for {failed.Count} of {Items.Count + _sboms.Count} input(s): {string.Join(" | ", failed)}", string.Join(",", Items.Select(x => x.Image).Concat(_sboms)),
                    "Fix the findings, or suppress accepted ones in a .trivyignore file with an expiry date.");
        });
        base.EndProcessing();
    }
}

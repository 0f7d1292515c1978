using System.Management.Automation;
using DockOpt.Engine.Security;

namespace DockOpt.Cmdlets;

/// <summary>Scans images offline: vulnerabilities (OSV records, Trivy report), secrets in every layer, configuration; score and CI gate.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "DockOptScan", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(SecurityReport))]
public sealed class InvokeDockOptScanCommand : EngineCmdlet
{
    readonly List<(string Image, bool IsPath)> _items = new();

    /// <summary>Local image names or IDs.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Alias("Image", "Id", "ImageId")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A docker save tar, OCI archive or OCI layout folder instead of a local image.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Path")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

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

    /// <summary>Write a CycloneDX 1.6 SBOM to this file (or, when it is a folder, one file per image).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SbomPath { get; set; }

    /// <summary>Put the current time in the SBOM's metadata.timestamp (off by default, for reproducible SBOMs).</summary>
    [Parameter]
    public SwitchParameter SbomTimestamp { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Path")
            foreach (var p in Path) _items.Add((GetUnresolvedProviderPathFromPSPath(p), true));
        else
            foreach (var n in Name) if (!string.IsNullOrWhiteSpace(n)) _items.Add((n, false));
    }

    protected override void EndProcessing()
    {
        if ((Format == null) != (OutFile == null))
            ThrowTerminatingError(DockOptCmdlet.ToErrorRecord(new DockOptException("FormatRequiresOutFile", DockOptErrorCategory.InvalidArgument,
                "-Format and -OutFile go together.", Format ?? OutFile, "Give both, e.g. -Format Sarif -OutFile scan.sarif.")));
        var ignore = IgnoreFile != null ? GetUnresolvedProviderPathFromPSPath(IgnoreFile) : null;
        if (ignore == null)
        {
            var cwd = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            foreach (var n in new[] { ".trivyignore.yaml", ".trivyignore.yml", ".trivyignore" })
                if (File.Exists(System.IO.Path.Combine(cwd, n))) { ignore = System.IO.Path.Combine(cwd, n); WriteVerbose($"Using ignore file {ignore}."); break; }
        }
        var req = new SecurityScanRequest
        {
            Vulnerabilities = Scanner.Contains("Vulnerability", StringComparer.OrdinalIgnoreCase),
            Secrets = Scanner.Contains("Secret", StringComparer.OrdinalIgnoreCase),
            Config = Scanner.Contains("Config", StringComparer.OrdinalIgnoreCase),
            VulnerabilityDatabase = VulnerabilityDatabase != null ? GetUnresolvedProviderPathFromPSPath(VulnerabilityDatabase) : null,
            TrivyReport = TrivyReport != null ? GetUnresolvedProviderPathFromPSPath(TrivyReport) : null,
            RunTrivy = !NoTrivy,
            IgnoreFile = ignore,
            SbomPath = SbomPath != null ? GetUnresolvedProviderPathFromPSPath(SbomPath) : null,
            SbomTimestamp = SbomTimestamp,
            Policy = new GatePolicy { Severity = Severity, FailOn = FailOn, FailOnFixableOnly = FailOnFixableOnly, MinScore = MinScore, IgnoreBase = IgnoreBase },
        };
        var outFile = OutFile != null ? GetUnresolvedProviderPathFromPSPath(OutFile) : null;
        Run(async ct =>
        {
            var service = new SecurityScanService(req, this);
            service.Prepare();
            var reports = new List<SecurityReport>();
            var failed = new List<string>();
            for (var i = 0; i < _items.Count; i++)
            {
                var (image, isPath) = _items[i];
                Progress(new DockOptProgress(70, "Invoke-DockOptScan", $"{image} ({i + 1}/{_items.Count})") { PercentComplete = 100 * i / Math.Max(1, _items.Count) });
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
                    $"Security gate failed for {failed.Count} of {_items.Count} image(s): {string.Join(" | ", failed)}", string.Join(",", _items.Select(x => x.Image)),
                    "Fix the findings, or suppress accepted ones in a .trivyignore file with an expiry date.");
        });
        base.EndProcessing();
    }
}

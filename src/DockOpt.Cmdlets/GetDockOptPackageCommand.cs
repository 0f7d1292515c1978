using System.Management.Automation;
using DockOpt.Engine.Security;

namespace DockOpt.Cmdlets;

/// <summary>Lists the packages installed in images (dpkg, apk, Python, npm, .NET, Go) with purl and layer; optionally writes a CycloneDX SBOM.</summary>
[Cmdlet(VerbsCommon.Get, "DockOptPackage", DefaultParameterSetName = "Name", SupportsShouldProcess = true)]
[OutputType(typeof(PackageInfo))]
public sealed class GetDockOptPackageCommand : EngineCmdlet
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

    /// <summary>Only these package types (deb, apk, pypi, npm, nuget, golang).</summary>
    [Parameter]
    [ValidateSet("deb", "apk", "pypi", "npm", "nuget", "golang")]
    public string[]? Type { get; set; }

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
        var req = new SecurityScanRequest
        {
            Vulnerabilities = false, Secrets = false, Config = false,
            SbomPath = SbomPath != null ? GetUnresolvedProviderPathFromPSPath(SbomPath) : null,
            SbomTimestamp = SbomTimestamp,
        };
        Run(async ct =>
        {
            var service = new SecurityScanService(req, this);
            foreach (var (image, isPath) in _items)
            {
                try
                {
                    var engine = isPath ? null : await GetEngineAsync(ct).ConfigureAwait(false);
                    var r = await service.ScanImageAsync(engine, image, isPath, packagesOnly: true, ct).ConfigureAwait(false);
                    foreach (var p in r.Packages)
                        if (Type == null || Type.Contains(p.Type, StringComparer.OrdinalIgnoreCase)) Output(p);
                }
                catch (DockOptException e) when (!IsTerminating(e))
                {
                    Error(e);
                }
            }
        });
        base.EndProcessing();
    }
}

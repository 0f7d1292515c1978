using System.Management.Automation;
using DockOpt.Engine.Security;

namespace DockOpt.Cmdlets;

/// <summary>Lists the packages installed in images (dpkg, apk, rpm, Python, npm, .NET, Go, Java, Ruby, PHP, Rust) with purl and layer; optionally writes a CycloneDX SBOM.</summary>
[Cmdlet(VerbsCommon.Get, "DockOptPackage", DefaultParameterSetName = ParameterSets.Archive, SupportsShouldProcess = true)]
[OutputType(typeof(PackageInfo))]
public sealed class GetDockOptPackageCommand : ImageSourceCmdlet
{
    /// <summary>Only these package types (deb, apk, rpm, pypi, npm, nuget, golang, maven, gem, composer, cargo).</summary>
    [Parameter]
    [ValidateSet("deb", "apk", "rpm", "pypi", "npm", "nuget", "golang", "maven", "gem", "composer", "cargo")]
    public string[]? Type { get; set; }

    protected override void EndProcessing()
    {
        if (!RequireInput())
        {
            base.EndProcessing();
            return;
        }
        var req = new SecurityScanRequest
        {
            Platform = Platform,
            Vulnerabilities = false, Secrets = false, Config = false,
            SbomPath = ResolvedSbomPath,
            SbomTimestamp = SbomTimestamp,
            SbomFormat = SbomFormat,
        };
        Run(async ct =>
        {
            var service = new SecurityScanService(req, this);
            foreach (var (image, isPath) in await ExpandItemsAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    var engine = IsEngineName((image, isPath)) ? await GetEngineAsync(ct).ConfigureAwait(false) : null;
                    var r = await service.ScanImageAsync(engine, image, isPath, packagesOnly: true, ct).ConfigureAwait(false);
                    foreach (var problem in r.Problems) Warning($"{image}: {problem}");
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

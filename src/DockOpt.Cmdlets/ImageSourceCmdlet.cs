using System.Management.Automation;

namespace DockOpt.Cmdlets;

/// <summary>
/// Base of the cmdlets that read images either from the engine (-Name) or from an archive (-Path) and can write a
/// CycloneDX SBOM (Get-DockOptPackage, Invoke-DockOptScan): the shared parameters and the input collected over the pipeline.
/// </summary>
public abstract class ImageSourceCmdlet : EngineCmdlet
{
    /// <summary>The collected inputs: an image name, or a resolved archive path when IsPath.</summary>
    private protected readonly List<(string Image, bool IsPath)> Items = new();

    /// <summary>Local image names or IDs.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Alias("Image", "Id", "ImageId")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A docker save tar, OCI archive or OCI layout folder instead of a local image.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Path")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Write a CycloneDX 1.6 SBOM to this file (or, when it is a folder, one file per image).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SbomPath { get; set; }

    /// <summary>SBOM format for -SbomPath: CycloneDX (1.6 JSON, the default) or Spdx (2.3 JSON; also chosen by a path ending in .spdx.json).</summary>
    [Parameter]
    [ValidateSet("CycloneDX", "Spdx")]
    public string? SbomFormat { get; set; }

    /// <summary>Put the current time in the SBOM's metadata.timestamp (off by default, for reproducible SBOMs).</summary>
    [Parameter]
    public SwitchParameter SbomTimestamp { get; set; }

    /// <summary>SbomPath resolved against the current location, or null.</summary>
    private protected string? ResolvedSbomPath => ResolveOptional(SbomPath);

    /// <summary>A provider path resolved against the current location, or null when not given.</summary>
    private protected string? ResolveOptional(string? path) => path != null ? GetUnresolvedProviderPathFromPSPath(path) : null;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Path")
            foreach (var p in Path) Items.Add((GetUnresolvedProviderPathFromPSPath(p), true));
        else
            foreach (var n in Name) if (!string.IsNullOrWhiteSpace(n)) Items.Add((n, false));
    }
}

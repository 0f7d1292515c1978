using System.Management.Automation;

namespace DockOpt.Cmdlets;

/// <summary>
/// Base of the cmdlets that read images either from the engine (-Name) or from archives (-Path / -LiteralPath) and can write a
/// CycloneDX SBOM (Get-DockOptPackage, Invoke-DockOptScan): the shared parameters and the input collected over the pipeline.
/// </summary>
public abstract class ImageSourceCmdlet : EngineCmdlet
{
    /// <summary>The collected inputs: an image name, or a resolved archive path when IsPath.</summary>
    private protected readonly List<(string Image, bool IsPath)> Items = new();

    /// <summary>Inputs that could not be resolved (a -Path wildcard or an image-name wildcard that matched nothing).</summary>
    private protected readonly List<string> Unresolved = new();

    /// <summary>
    /// Images: local names, IDs or wildcards, or references with a transport: docker://host/repo:tag[@digest] (read from the
    /// registry, no pull), docker-daemon:name, docker-archive:path, oci-archive:path, oci:dir. Every DockOpt object that
    /// names an image binds from the pipeline.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Name)]
    [Alias("Image", "ImageId", "Id")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Image archives instead of local images: docker save tars, OCI archives or OCI layout folders (wildcards allowed).</summary>
    [Parameter(ParameterSetName = ParameterSets.Archive, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Image archives, taken literally (no wildcard expansion).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ArchiveLiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>The platform to pick from a multi-platform image (os/arch[/variant], e.g. linux/arm64); default: the host's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

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
        if (ParameterSetName == ParameterSets.Name)
        {
            foreach (var n in Name)
                if (!string.IsNullOrWhiteSpace(n))
                {
                    // an OCI layout with a ref inside travels as its transport-qualified reference, which keeps the ref
                    if (ClassifyImage(n) is { } input) Items.Add(input.OciRef != null ? (input.Qualified, false) : (input.Value, input.IsPath));
                    else Unresolved.Add(n); // counts against the gate, like a name that matches nothing
                }
            return;
        }
        foreach (var p in ResolvePaths(ParameterSetName == ParameterSets.Archive ? Path : LiteralPath,
                     ParameterSetName == ParameterSets.ArchiveLiteralPath, Unresolved))
            Items.Add((p, true));
    }

    /// <summary>
    /// Ends the command with ImageNameRequired when it was given nothing to read (the default set is Archive, whose -Path is
    /// optional so that piped files bind it by FullName); true when there is input to process.
    /// </summary>
    private protected bool RequireInput()
    {
        if (Items.Count > 0 || Unresolved.Count > 0) return true;
        if (MyInvocation.ExpectingInput) return false;
        ThrowTerminatingError(ToErrorRecord(new DockOptException(ErrorIds.ImageNameRequired, DockOptErrorCategory.InvalidArgument,
            "Give the images: names with -Name, DockOpt objects from the pipeline, or archives with -Path.", null,
            $"For example: {MyInvocation.MyCommand.Name} app:1, or Get-DockOptImage app* | {MyInvocation.MyCommand.Name}.")));
        return false;
    }

    /// <summary>True for an engine image name (not a path, not a docker:// reference): only those expand wildcards and need the engine.</summary>
    private protected static bool IsEngineName((string Image, bool IsPath) item) =>
        !item.IsPath && !DockOpt.Engine.Images.ImageSourceReference.HasTransport(item.Image);

    /// <summary>The inputs with image-name wildcards expanded to the local images they match (the same rule as every image cmdlet).</summary>
    private protected async Task<List<(string Image, bool IsPath)>> ExpandItemsAsync(CancellationToken ct)
    {
        if (!Items.Any(i => IsEngineName(i) && WildcardPattern.ContainsWildcardCharacters(i.Image))) return Items.ToList();
        var result = new List<(string Image, bool IsPath)>();
        foreach (var item in Items)
        {
            if (!IsEngineName(item) || !WildcardPattern.ContainsWildcardCharacters(item.Image))
            {
                result.Add(item);
                continue;
            }
            foreach (var n in await ExpandImageNamesAsync(new[] { item.Image }, e =>
                     {
                         Error(e);
                         lock (Unresolved) Unresolved.Add(item.Image);
                     }, ct).ConfigureAwait(false))
                result.Add((n, false));
        }
        return result;
    }
}

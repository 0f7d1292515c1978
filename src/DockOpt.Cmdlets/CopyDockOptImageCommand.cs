using System.Management.Automation;
using DockOpt.Engine.Images;
using DockOpt.Engine.Registry;

namespace DockOpt.Cmdlets;

/// <summary>Copies images from one registry repository to another without an engine, digests kept (crane copy, skopeo copy).</summary>
[Cmdlet(VerbsCommon.Copy, "DockOptImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CopyResult))]
public sealed class CopyDockOptImageCommand : DockOptCmdlet
{
    RegistryTarget? _destination;
    string? _destinationTag;
    RetryPolicy? _retry;

    /// <summary>
    /// Source images in a registry: host[:port]/repository[:tag][@sha256:…], optionally docker://. A wildcard in the tag
    /// (app:1.*) copies every tag of the repository it matches. A PublishResult or CopyResult from the pipeline binds its reference.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Image", "ImageId", "Id")]
    [SupportsWildcards]
    [ImageNameTransformation]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Destination host[:port]/repository[:tag]; without a tag each source keeps its tag (a source by digest is written by digest).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>os/arch[/variant]: copy only this platform out of a multi-platform index (the destination gets that image's manifest).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Platform { get; set; }

    /// <summary>Credentials for the destination registry (and for the source when it is the same registry and -SourceCredential is not given).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Credentials for the source registry. Without it: -Credential for the same registry, else config.json, helpers, ECR.</summary>
    [Parameter]
    [Credential]
    public PSCredential? SourceCredential { get; set; }

    /// <summary>Time bound for retries of transient registry failures: 30s, 2m, a number of seconds or a TimeSpan (default 2m).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan RetryTimeout { get; set; } = RetryPolicy.DefaultMaxTime;

    /// <summary>Attempts per request (default 5).</summary>
    [Parameter]
    [ValidateRange(1, 20)]
    public int MaxAttempts { get; set; } = RetryPolicy.DefaultMaxAttempts;

    /// <summary>Hidden: 0 (default) sends each blob in one streamed PATCH; a size in bytes sends chunked PATCHes of that size instead.</summary>
    [Parameter(DontShow = true)]
    [ValidateRange(0, int.MaxValue / 2)]
    public int ChunkSize { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            (_destination, _destinationTag) = RegistryTarget.Parse(null, null, Destination);
            _retry = new RetryPolicy { MaxAttempts = MaxAttempts, MaxTime = RetryTimeout };
            if (Platform != null && Platform.Split('/').Length is < 2 or > 3)
                throw new DockOptException(ErrorIds.InvalidCopySource, DockOptErrorCategory.InvalidArgument,
                    $"-Platform '{Platform}' is not os/arch[/variant].", Platform, "For example -Platform linux/arm64 or linux/arm/v7.");
        }
        catch (DockOptException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    static RegistryCredential? ToCredential(PSCredential? c)
    {
        if (c == null) return null;
        var secret = c.GetNetworkCredential().Password;
        return c.UserName == "<token>" ? new RegistryCredential("<token>", null, "Credential", secret) : new RegistryCredential(c.UserName, secret, "Credential");
    }

    protected override void ProcessRecord()
    {
        if (_destination == null || _retry == null) return;
        foreach (var name in Name.Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            RunPerItem(async ct =>
            {
                foreach (var source in await ExpandAsync(name, ct).ConfigureAwait(false))
                {
                    var sameHost = string.Equals(ImageCopier.TargetOf(source).Host, _destination.Host, StringComparison.OrdinalIgnoreCase);
                    var copier = new ImageCopier(new CopyOptions
                    {
                        SourceAuth = new RegistryAuth { Explicit = ToCredential(SourceCredential) ?? (sameHost ? ToCredential(Credential) : null), Retry = _retry },
                        DestinationAuth = new RegistryAuth { Explicit = ToCredential(Credential), Retry = _retry },
                        Retry = _retry,
                        Platform = Platform,
                        ChunkSize = ChunkSize,
                    }, this);
                    try
                    {
                        var r = await copier.CopyAsync(source, _destination, _destinationTag, ct).ConfigureAwait(false);
                        if (r != null) Output(r);
                    }
                    catch (DockOptException e) when (!IsTerminating(e))
                    {
                        Error(e); // one source failing never hides the others
                    }
                }
            });
        }
    }

    /// <summary>A wildcard in the tag expands to the repository's matching tags (tags/list); other references pass through.</summary>
    async Task<List<ImageReference>> ExpandAsync(string name, CancellationToken ct)
    {
        var text = name.Trim();
        var slash = text.LastIndexOf('/');
        var colon = text.LastIndexOf(':');
        if (!WildcardPattern.ContainsWildcardCharacters(text) || colon < slash)
            return new List<ImageReference> { ImageCopier.ParseSource(text) };
        var repo = ImageCopier.ParseSource(text.Substring(0, colon));
        if (_destinationTag != null)
            throw new DockOptException(ErrorIds.InvalidDestination, DockOptErrorCategory.InvalidArgument,
                $"'{name}' may match many tags, and -Destination '{Destination}' names one tag.", Destination,
                "Give the destination without a tag: each tag is copied under its own name.");
        var pattern = new WildcardPattern(text.Substring(colon + 1), WildcardOptions.CultureInvariant);
        var target = ImageCopier.TargetOf(repo);
        var auth = new RegistryAuth { Explicit = ToCredential(SourceCredential) ?? ToCredential(Credential), Retry = _retry! };
        using var client = new RegistryClient(target, await auth.ResolveAsync(target, this, ct).ConfigureAwait(false), _retry!, this);
        var tags = (await client.ListTagsAsync(ct).ConfigureAwait(false)).Where(pattern.IsMatch).OrderBy(t => t, StringComparer.Ordinal).ToList();
        if (tags.Count == 0)
            throw new DockOptException(ErrorIds.CopySourceNotFound, DockOptErrorCategory.ObjectNotFound,
                $"No tag of {target} matches '{text.Substring(colon + 1)}'.", name, "List the tags with 'curl https://<registry>/v2/<repository>/tags/list'.");
        Verbose($"{name}: {tags.Count} tag(s): {string.Join(", ", tags)}.");
        return tags.Select(t => repo.WithTag(t)).ToList();
    }
}

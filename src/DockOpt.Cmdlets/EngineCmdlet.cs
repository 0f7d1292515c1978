using System.Management.Automation;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Cmdlets;

/// <summary>Base of the cmdlets that talk to a Docker engine: the shared -Engine parameter and one connection per command.</summary>
public abstract class EngineCmdlet : DockOptCmdlet
{
    /// <summary>One classified image input: the engine name, the resolved path, or the docker:// reference; and its qualified form.</summary>
    internal sealed record ImageInput(string Value, ImageTransport Transport, string Qualified, string? OciRef = null)
    {
        public bool IsPath => Transport is not (ImageTransport.Engine or ImageTransport.Registry);
    }

    DockerEngine? _engine;

    /// <summary>
    /// The Docker engine: an endpoint URI (unix://, tcp://, ssh://, npipe://) or a docker context name. Default: DOCKER_HOST,
    /// DOCKER_CONTEXT, the current context of ~/.docker/config.json, then the platform's default socket.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Engine { get; set; }

    /// <summary>The connected engine (connects on first use; EngineUnreachable within 5 s).</summary>
    internal async Task<DockerEngine> GetEngineAsync(CancellationToken ct)
    {
        if (_engine != null) return _engine;
        var e = await DockerEngine.ConnectAsync(new EngineOptions { Engine = Engine }, ct).ConfigureAwait(false);
        Verbose($"Docker engine {e.Endpoint} ({e.Endpoint.Source}), {e.EngineProduct ?? "engine"} {e.EngineVersion ?? "?"}, API v{e.ApiVersion}.");
        return _engine = e;
    }

    /// <summary>
    /// The same wildcard rule on every image cmdlet: a name with * ? or [ ] expands to the local images it matches
    /// (repository:tag, as Get-DockOptImage lists them); a pattern that matches nothing is reported through
    /// <paramref name="notFound"/> (ImageNotFound). Other names pass through unchanged.
    /// </summary>
    internal async Task<List<string>> ExpandImageNamesAsync(IEnumerable<string> names, Action<DockOptException> notFound, CancellationToken ct)
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name)) continue;
            if (!WildcardPattern.ContainsWildcardCharacters(name))
            {
                result.Add(name);
                continue;
            }
            var engine = await GetEngineAsync(ct).ConfigureAwait(false);
            var images = await new LocalImageCatalog(engine).GetAsync(new LocalImageCatalog.Query { Names = new[] { name }, IncludeHistory = false },
                notFound, ct).ConfigureAwait(false);
            foreach (var i in images)
                if (!result.Contains(i.Name, StringComparer.Ordinal)) result.Add(i.Name);
        }
        return result;
    }

    /// <summary>
    /// The one place where an image input's transport is decided (skopeo syntax, see <see cref="ImageSourceReference"/>):
    /// a bare name or <c>docker-daemon:name</c> is an engine image (checked; wildcards expand later, engine names only);
    /// <c>docker-archive:</c>, <c>oci-archive:</c>, <c>oci:</c> and <c>dir:</c> paths are resolved against the current
    /// location; <c>docker://</c> stays as written. Null (with the error written) when the input is not valid.
    /// </summary>
    internal ImageInput? ClassifyImage(string text)
    {
        if (!ImageSourceReference.HasTransport(text)) return CheckImageName(text) ? new ImageInput(text, ImageTransport.Engine, ImageSourceReference.ForEngine(text)) : null;
        ImageSourceReference r;
        try
        {
            r = ImageSourceReference.Parse(text);
        }
        catch (DockOptException e)
        {
            WriteError(ToErrorRecord(e));
            return null;
        }
        switch (r.Transport)
        {
            case ImageTransport.Engine:
                return CheckImageName(r.Value) ? new ImageInput(r.Value, ImageTransport.Engine, r.Qualified) : null;
            case ImageTransport.Registry:
                return new ImageInput(r.Qualified, ImageTransport.Registry, r.Qualified);
            default:
                var path = GetUnresolvedProviderPathFromPSPath(r.Value);
                return new ImageInput(path, r.Transport, r.WithPath(path).Qualified, r.OciRef);
        }
    }

    /// <summary>
    /// Checks a local image name before any engine call (one rule, one ErrorId for every image cmdlet): false and an
    /// InvalidImageReference error when it is neither an image ID nor a valid reference. Wildcard patterns pass.
    /// </summary>
    internal bool CheckImageName(string name)
    {
        if (WildcardPattern.ContainsWildcardCharacters(name)) return true;
        if (ImageReference.CheckLocalName(name) is not { } e) return true;
        WriteError(ToErrorRecord(e));
        return false;
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        _engine?.Dispose();
        _engine = null;
    }
}

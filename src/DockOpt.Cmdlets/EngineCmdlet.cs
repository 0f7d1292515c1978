using System.Management.Automation;
using DockOpt.Engine.DockerApi;
using DockOpt.Engine.Images;

namespace DockOpt.Cmdlets;

/// <summary>Base of the cmdlets that talk to a Docker engine: the shared -Engine parameter and one connection per command.</summary>
public abstract class EngineCmdlet : DockOptCmdlet
{
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

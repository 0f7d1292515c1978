using System.Management.Automation;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Cmdlets;

/// <summary>Base of the cmdlets that talk to a Docker engine: the shared -Engine parameter and one connection per command.</summary>
public abstract class EngineCmdlet : DockOptCmdlet
{
    DockerEngine? _engine;

    /// <summary>
    /// The Docker engine: an endpoint URI (unix://, tcp://, npipe://) or a docker context name. Default: DOCKER_HOST,
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
        Verbose($"Docker engine {e.Endpoint} ({e.Endpoint.Source}), engine {e.EngineVersion ?? "?"}, API v{e.ApiVersion}.");
        return _engine = e;
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        _engine?.Dispose();
        _engine = null;
    }
}

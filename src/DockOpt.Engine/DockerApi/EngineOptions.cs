using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace DockOpt.Engine.DockerApi;

/// <summary>Options every engine cmdlet shares.</summary>
public sealed class EngineOptions
{
    /// <summary>-Engine: an endpoint URI or a docker context name; null to resolve as the docker CLI does.</summary>
    public string? Engine { get; init; }

    /// <summary>How long connecting (the first ping) may take before <c>EngineUnreachable</c>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Limit on a bounded request; null: DOCKOPT_ENGINE_TIMEOUT, else 2 min (see <see cref="EngineTimeouts"/>).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Idle limit on a long-running request; null: DOCKOPT_ENGINE_IDLE_TIMEOUT, else 10 min.</summary>
    public TimeSpan? IdleTimeout { get; init; }
}

using System.Net;
using System.Net.Sockets;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Testing;

/// <summary>
/// Reaches the ports an engine published for a test container, from wherever that engine runs. A local engine (unix
/// socket, named pipe, tcp:// on loopback) publishes on 127.0.0.1 and is reached directly. An ssh:// engine publishes on
/// its own loopback, reached through <c>ssh -W 127.0.0.1:port</c> over the same ssh setup as the engine connection, so
/// nothing is exposed on the remote host's network. A tcp:// engine on another host can only be reached over the network:
/// its ports are published on all interfaces of that host and probed at the engine's host name.
/// </summary>
public sealed class PublishedPorts
{
    readonly EngineEndpoint? _ssh;
    readonly string _host;

    PublishedPorts(string hostIp, string host, EngineEndpoint? ssh, string where)
    {
        HostIp = hostIp;
        _host = host;
        _ssh = ssh;
        Where = where;
    }

    /// <summary>The local machine's loopback: what every engine on this machine uses.</summary>
    public static readonly PublishedPorts Local = new("127.0.0.1", "127.0.0.1", null, "127.0.0.1");

    /// <summary>How ports of <paramref name="endpoint"/>'s containers are published and reached.</summary>
    public static PublishedPorts For(EngineEndpoint? endpoint)
    {
        if (endpoint == null) return Local;
        var uri = endpoint.Uri;
        if (uri.Scheme == "ssh") return new("127.0.0.1", "127.0.0.1", endpoint, $"127.0.0.1 on {uri.IdnHost} (through ssh)");
        if (uri.Scheme is "tcp" or "http" or "https" && !Registry.RegistryClient.IsLoopback(uri.IdnHost))
            return new("0.0.0.0", uri.IdnHost, null, uri.IdnHost);
        return Local;
    }

    /// <summary>The HostIp for the container's PortBindings.</summary>
    public string HostIp { get; }

    /// <summary>Where a published port is, for messages ("127.0.0.1", "127.0.0.1 on build-host (through ssh)").</summary>
    public string Where { get; }

    /// <summary>Whether a connection is a plain TCP connect to 127.0.0.1 on this machine.</summary>
    public bool IsLocal => _ssh == null && _host == "127.0.0.1";

    /// <summary>Whether the engine reports a binding on <paramref name="hostIp"/> that these ports can reach.</summary>
    public bool Accepts(string? hostIp) => hostIp is null or "" || hostIp == HostIp || (HostIp == "0.0.0.0" && hostIp == "::");

    /// <summary>A connection to the published <paramref name="port"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(int port, CancellationToken ct)
    {
        if (_ssh != null) return SshDialer.Forward(_ssh, port, TimeSpan.FromSeconds(3));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (_host == "127.0.0.1") await socket.ConnectAsync(IPAddress.Loopback, port, ct).ConfigureAwait(false);
            else await socket.ConnectAsync(_host, port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Lets an HTTP handler reach these ports: URLs keep naming 127.0.0.1:port; the connection goes where the port is.</summary>
    public void Configure(SocketsHttpHandler handler)
    {
        if (IsLocal) return;
        handler.ConnectCallback = async (context, ct) => await ConnectAsync(context.DnsEndPoint.Port, ct).ConfigureAwait(false);
    }
}

using System.Net;
using System.Net.Sockets;

namespace DockOpt.Engine.Tests;

/// <summary>
/// HttpListener stand-ins on loopback, safe for xunit's parallel classes: a port is picked free and bound in one step
/// (retried when another test or an ephemeral client socket took it in between), and shutdown never throws. The managed
/// HttpListener re-resolves its endpoint on Close after Stop and can fail with "Address already in use" once another
/// socket reuses the port; that is a test-host race, not a result.
/// </summary>
public static class LoopbackHttp
{
    /// <summary>A loopback port that was free a moment ago (nothing listens on it after this returns).</summary>
    public static int FreePort()
    {
        var t = new TcpListener(IPAddress.Loopback, 0);
        t.Start();
        var p = ((IPEndPoint)t.LocalEndpoint).Port;
        t.Stop();
        return p;
    }

    /// <summary>Starts <paramref name="listener"/> on a free loopback port and returns the port.</summary>
    public static int Start(HttpListener listener)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return port;
            }
            catch (HttpListenerException) when (attempt < 20) { }
        }
    }

    /// <summary>Stops and closes <paramref name="listener"/>, ignoring the endpoint race described above.</summary>
    public static void Shutdown(HttpListener listener)
    {
        try { listener.Stop(); } catch (HttpListenerException) { } catch (ObjectDisposedException) { }
        try { listener.Close(); } catch (HttpListenerException) { } catch (ObjectDisposedException) { }
    }
}
